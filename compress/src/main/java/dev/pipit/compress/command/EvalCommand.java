package dev.pipit.compress.command;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit eval}: a bundled variant's accuracy, computed by the runtime on the decoded payload. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a bundled variant's accuracy on a test set with the Pipit runtime.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, description = "Bundle file.")
    Path bundle;

    @Option(names = "--variant", required = true, description = "Variant id (see 'pipit inspect').")
    String variant;

    @Option(names = "--dataset", defaultValue = FashionMnist.NAME, description = "Test set: fashion-mnist.")
    String dataset;

    @Option(names = "--data-dir", description = "Directory of the data set files (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--threads", defaultValue = "1", description = "Runtime threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BundleFile file = BundleInput.open(bundle);
        double declared = file.variant(variant).getAccuracy();
        LabeledImages test = DatasetOption.test(dataset, dataDir);
        double accuracy;
        try (Interpreter interpreter = Interpreter.load(BundleInput.graph(file, variant),
                new RuntimeOptions(Evaluator.ACCURACY_BATCH, threads))) {
            accuracy = Evaluator.accuracy(interpreter, test, Evaluator.ACCURACY_BATCH);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("accuracy", accuracy);
            doc.put("variant", variant);
            doc.put("images", test.count());
            doc.put("declaredAccuracy", declared);
            JsonOutput.print(doc);
        } else {
            System.out.printf(Locale.ROOT, "%s: %.2f%% of %d %s test images (manifest declares %.2f%%)%n",
                    variant, 100 * accuracy, test.count(), dataset, 100 * declared);
        }
        return 0;
    }
}
