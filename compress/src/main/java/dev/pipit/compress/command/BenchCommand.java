package dev.pipit.compress.command;

import dev.pipit.compress.evaluate.Latency;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit bench}: latency of a bundled variant on the bundle's own golden samples. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a bundled variant's latency per call with the Pipit runtime.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, description = "Bundle file.")
    Path bundle;

    @Option(names = "--variant", required = true, description = "Variant id (see 'pipit inspect').")
    String variant;

    @Option(names = "--batch", defaultValue = "1", description = "Samples per call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "1", description = "Runtime threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--iterations", defaultValue = "2000", description = "Timed calls (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "500", description = "Untimed calls first, so the JIT has compiled the kernels (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || threads < 1 || iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("batch, threads and iterations must be positive");
        }
        BundleFile file = BundleInput.open(bundle);
        GoldenInputs golden = file.manifest().getGolden();
        Latency latency;
        try (Interpreter interpreter = Interpreter.load(BundleInput.graph(file, variant), new RuntimeOptions(batch, threads))) {
            int size = interpreter.inputSize();
            if (golden.getCount() == 0 || golden.getValuesCount() != golden.getCount() * size) {
                throw new IllegalArgumentException("bundle has no golden inputs of " + size + " values to run");
            }
            int samples = Math.max(batch, golden.getCount()) * 4;
            float[] inputs = new float[samples * size];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = golden.getValues(i % (golden.getCount() * size));
            }
            latency = Latency.measure(interpreter, inputs, batch, warmup, iterations);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("variant", variant);
            doc.put("p50Micros", latency.p50Micros());
            doc.put("p90Micros", latency.p90Micros());
            doc.put("meanMicros", latency.meanMicros());
            doc.put("p50MicrosPerSample", latency.p50Micros() / batch);
            doc.put("batch", batch);
            doc.put("threads", threads);
            doc.put("iterations", iterations);
            JsonOutput.print(doc);
        } else {
            System.out.printf(Locale.ROOT, "%s  batch %d  threads %d  p50 %.1f µs  p90 %.1f µs  (%.2f µs per sample, %d calls)%n",
                    variant, batch, threads, latency.p50Micros(), latency.p90Micros(), latency.p50Micros() / batch, iterations);
        }
        return 0;
    }
}
