package dev.pipit.compress.command;

import dev.pipit.compress.onnx.conformance.CaseResult;
import dev.pipit.compress.onnx.conformance.ConformanceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipit onnx-check}: ONNX backend node tests run on the runtime's kernels. */
@Command(name = "onnx-check", mixinStandardHelpOptions = true,
        description = "Run ONNX backend node test cases (folders with model.onnx and test_data_set_*) on the runtime; "
                + "exit status 1 if any case fails (unsupported cases do not count as failures).")
public final class OnnxCheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Test case folders, e.g. /usr/share/libonnx-testdata/data/node/test_relu.")
    List<Path> dirs;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() {
        List<CaseResult> results = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " is not a folder");
            }
            results.add(ConformanceRunner.run(dir));
        }
        Map<CaseResult.Status, Integer> counts = new LinkedHashMap<>();
        for (CaseResult.Status s : CaseResult.Status.values()) {
            counts.put(s, (int) results.stream().filter(r -> r.status() == s).count());
        }
        if (json) {
            List<Map<String, Object>> cases = new ArrayList<>();
            for (CaseResult r : results) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("name", r.name());
                c.put("status", r.status().name().toLowerCase());
                c.put("reason", r.reason());
                cases.add(c);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            counts.forEach((s, n) -> doc.put(s.name().toLowerCase(), n));
            doc.put("cases", cases);
            JsonOutput.print(doc);
        } else {
            for (CaseResult r : results) {
                System.out.printf("%-11s %s%s%n", r.status().name().toLowerCase(), r.name(), r.reason().isEmpty() ? "" : "  " + r.reason());
            }
            System.out.printf("%d passed, %d failed, %d unsupported%n",
                    counts.get(CaseResult.Status.PASS), counts.get(CaseResult.Status.FAIL), counts.get(CaseResult.Status.UNSUPPORTED));
        }
        return counts.get(CaseResult.Status.FAIL) == 0 ? 0 : 1;
    }
}
