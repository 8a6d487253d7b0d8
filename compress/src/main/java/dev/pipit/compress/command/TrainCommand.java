package dev.pipit.compress.command;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.onnx.OnnxExporter;
import dev.pipit.compress.train.EpochStats;
import dev.pipit.compress.train.Mlp;
import dev.pipit.compress.train.MlpTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.runtime.graph.Graph;
import java.util.function.Consumer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit train}: trains the reference MLP or CNN with Pipit's own trainer and writes it as ONNX. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on a data set and write it as an fp32 ONNX file.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--arch", defaultValue = "mlp", description = "Architecture: mlp (784-256-128-10, ReLU) or cnn "
            + "(conv 3x3 1→16, ReLU, maxpool 2; conv 3x3 16→32, ReLU, maxpool 2; fc 800→128, ReLU; fc 128→10).")
    String arch;

    @Option(names = "--dataset", defaultValue = FashionMnist.NAME, description = "Data set: fashion-mnist.")
    String dataset;

    @Option(names = "--epochs", description = "Passes over the training set (default: mlp 10, cnn 12).")
    Integer epochs;

    @Option(names = "--schedule", description = "Learning rate: constant or cosine (decayed to 0; default: mlp constant, cnn cosine).")
    String schedule;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (with momentum 0.9).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default adam: mlp 1e-3, cnn 1.5e-3; sgd 0.05).")
    Float learningRate;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--data-dir", description = "Directory of the data set files (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-count", description = "Train on the first N training images only (default: all 60,000).")
    Integer trainCount;

    @Option(names = "--out", required = true, description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        boolean cnn = switch (arch) {
            case "mlp" -> false;
            case "cnn" -> true;
            default -> throw new IllegalArgumentException("unknown architecture '" + arch + "'; supported: mlp, cnn");
        };
        OptimizerKind kind = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adam" -> OptimizerKind.ADAM;
            case "sgd" -> OptimizerKind.SGD;
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; supported: adam, sgd");
        };
        boolean cosine = switch (schedule == null ? (cnn ? "cosine" : "constant") : schedule) {
            case "constant" -> false;
            case "cosine" -> true;
            default -> throw new IllegalArgumentException("unknown schedule '" + schedule + "'; supported: constant, cosine");
        };
        if (cosine && !cnn) {
            throw new IllegalArgumentException("the mlp trainer has a constant learning rate; --schedule cosine is for --arch cnn");
        }
        int passes = epochs != null ? epochs : cnn ? 12 : 10;
        LabeledImages train = DatasetOption.train(dataset, dataDir);
        if (trainCount != null) {
            train = train.slice(0, Math.min(trainCount, train.count()));
        }
        LabeledImages test = DatasetOption.test(dataset, dataDir);
        TrainingOptions defaults = TrainingOptions.defaults(passes, seed);
        float rate = learningRate != null ? learningRate : kind == OptimizerKind.SGD ? 0.05f : cnn ? 1.5e-3f : 1e-3f;
        TrainingOptions options = new TrainingOptions(passes, defaults.batchSize(), seed, kind, rate,
                defaults.momentum(), threads != null ? threads : defaults.threads(), cosine);
        System.err.printf(Locale.ROOT, "training %s on %d %s images: %d epochs, %s lr %g%s, batch %d, %d threads%n",
                arch, train.count(), dataset, passes, kind, rate, cosine ? " cosine-decayed" : "", options.batchSize(),
                options.threads());
        List<EpochStats> history = new ArrayList<>();
        Consumer<EpochStats> progress = s -> {
            history.add(s);
            System.err.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  test accuracy %.2f%%  %.1f s%n",
                    s.epoch(), passes, s.loss(), 100 * s.testAccuracy(), s.millis() / 1000.0);
        };
        Graph graph = cnn
                ? GraphLowering.toGraph(NetworkTrainer.train(Network.referenceCnn(seed), train, test, options, progress))
                : MlpTrainer.train(Mlp.reference(seed), train, test, options, progress).toGraph();
        OnnxExporter.write(graph, out);
        EpochStats last = history.get(history.size() - 1);
        double meanSeconds = history.stream().mapToLong(EpochStats::millis).average().orElse(0) / 1000.0;
        System.out.printf(Locale.ROOT, "wrote %s: test accuracy %.2f%% after %d epochs (%.1f s per epoch)%n",
                out, 100 * last.testAccuracy(), passes, meanSeconds);
        return 0;
    }
}
