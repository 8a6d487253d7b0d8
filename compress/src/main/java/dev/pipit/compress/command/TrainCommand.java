package dev.pipit.compress.command;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.onnx.OnnxExporter;
import dev.pipit.compress.train.EpochStats;
import dev.pipit.compress.train.Mlp;
import dev.pipit.compress.train.MlpTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit train}: trains the reference MLP with Pipit's own trainer and writes it as ONNX. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on a data set and write it as an fp32 ONNX file.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--arch", defaultValue = "mlp", description = "Architecture: mlp (784-256-128-10, ReLU).")
    String arch;

    @Option(names = "--dataset", defaultValue = FashionMnist.NAME, description = "Data set: fashion-mnist.")
    String dataset;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training set (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (with momentum 0.9).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default 1e-3 for adam, 0.05 for sgd).")
    Float learningRate;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--data-dir", description = "Directory of the data set files (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--out", required = true, description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!"mlp".equals(arch)) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "'; supported: mlp");
        }
        OptimizerKind kind = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> OptimizerKind.ADAM;
            case "sgd" -> OptimizerKind.SGD;
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; supported: adam, sgd");
        };
        LabeledImages train = DatasetOption.train(dataset, dataDir);
        LabeledImages test = DatasetOption.test(dataset, dataDir);
        TrainingOptions defaults = TrainingOptions.defaults(epochs, seed);
        float rate = learningRate != null ? learningRate : kind == OptimizerKind.ADAM ? 1e-3f : 0.05f;
        TrainingOptions options = new TrainingOptions(epochs, defaults.batchSize(), seed, kind, rate,
                defaults.momentum(), threads != null ? threads : defaults.threads());
        System.err.printf(Locale.ROOT, "training mlp on %d %s images: %d epochs, %s lr %g, batch %d, %d threads%n",
                train.count(), dataset, epochs, kind, rate, options.batchSize(), options.threads());
        List<EpochStats> history = new ArrayList<>();
        Mlp model = MlpTrainer.train(Mlp.reference(seed), train, test, options, s -> {
            history.add(s);
            System.err.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  test accuracy %.2f%%  %.1f s%n",
                    s.epoch(), epochs, s.loss(), 100 * s.testAccuracy(), s.millis() / 1000.0);
        });
        OnnxExporter.write(model.toGraph(), out);
        EpochStats last = history.get(history.size() - 1);
        double meanSeconds = history.stream().mapToLong(EpochStats::millis).average().orElse(0) / 1000.0;
        System.out.printf(Locale.ROOT, "wrote %s: test accuracy %.2f%% after %d epochs (%.1f s per epoch)%n",
                out, 100 * last.testAccuracy(), epochs, meanSeconds);
        return 0;
    }
}
