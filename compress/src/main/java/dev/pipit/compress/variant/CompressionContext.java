package dev.pipit.compress.variant;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.quantize.CalibrationMethod;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Distillation;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.RandomShift;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What every technique works from: the fp32 parent, data for calibration and fine-tuning, and the
 * shared steps (calibrate and quantize, fine-tune with progress on the log).
 *
 * @param parent the imported fp32 graph
 * @param train fine-tuning images (the 60,000 training images for the documented figures)
 * @param test evaluation images
 * @param calibration calibration samples, row-major; the first {@code calibrationCount} training images
 * @param calibrationCount samples in {@code calibration}
 * @param budget fine-tuning epochs per technique
 * @param seed seeds every random choice
 * @param threads training threads
 * @param log progress (stderr)
 */
public record CompressionContext(Graph parent, LabeledImages train, LabeledImages test, float[] calibration,
                                 int calibrationCount, FineTuneBudget budget, long seed, int threads, PrintStream log) {

    /** Fine-tuning step size for Adam: a tenth of the training rate, so fine-tuning refines, not retrains. */
    public static final float FINE_TUNE_RATE = 1e-4f;

    public static CompressionContext of(Graph parent, LabeledImages train, LabeledImages test, int calibrationCount,
                                        FineTuneBudget budget, long seed, int threads, PrintStream log) {
        int n = Math.min(calibrationCount, train.count());
        float[] calibration = new float[n * train.imageSize()];
        train.copyImages(0, n, calibration, 0);
        return new CompressionContext(parent, train, test, calibration, n, budget, seed, threads, log);
    }

    /** The parent in trainable form; fails with the reason when its graph is not a sequential CNN or MLP. */
    public Network trainable() {
        try {
            return GraphLowering.fromGraph(parent);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("this variant fine-tunes the model, which needs a sequential "
                    + "conv/pool/fc graph: " + e.getMessage(), e);
        }
    }

    /** {@code g}'s accuracy on the test images, by the runtime's kernels. */
    public double testAccuracy(Graph g) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(Evaluator.ACCURACY_BATCH, 1))) {
            return Evaluator.accuracy(interpreter, test, Evaluator.ACCURACY_BATCH);
        }
    }

    /** A quantized graph with per-tensor calibration chosen by output MSE. */
    public VariantResult quantize(Graph fp32, WeightQuantizer weights, String technique, Map<String, Object> details) {
        Calibrator.Result c = Calibrator.select(fp32, calibration, calibrationCount, weights);
        return new VariantResult(StaticQuantizer.quantize(fp32, c.ranges(), weights), technique, describe(c), details);
    }

    public static Map<String, String> describe(Calibrator.Result c) {
        Map<String, String> out = new LinkedHashMap<>();
        c.methods().forEach((t, m) -> out.put(t, m.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        return out;
    }

    public static String label(CalibrationMethod m) {
        return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Adam at {@code rate} over {@code train} for {@code epochs}, cosine-decayed, progress on the log. */
    public void fineTune(String what, Network net, int epochs, float rate, NetworkTrainer.StepListener listener) {
        fit(what, net, epochs, rate, null, null, listener);
    }

    /** As {@link #fineTune}, matching {@code distillation}'s teacher when given, on batches moved by {@code shift} when given. */
    public void fineTune(String what, Network net, int epochs, float rate, Distillation distillation, RandomShift shift) {
        fit(what, net, epochs, rate, distillation, shift, null);
    }

    private void fit(String what, Network net, int epochs, float rate, Distillation distillation, RandomShift shift,
                     NetworkTrainer.StepListener listener) {
        TrainingOptions options = new TrainingOptions(epochs, 128, seed, OptimizerKind.ADAM, rate, 0.9f, threads, true);
        try (NetworkTrainer trainer = new NetworkTrainer(net, options)) {
            trainer.fit(train, null, distillation, shift, listener, s -> log.printf(Locale.ROOT,
                    "  %s: epoch %d/%d  loss %.4f  %.1f s%n", what, s.epoch(), epochs, s.loss(), s.millis() / 1000.0));
        }
    }

    /** Batches per epoch over the fine-tuning set. */
    public long stepsPerEpoch() {
        return (train.count() + 127) / 128;
    }
}
