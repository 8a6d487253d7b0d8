package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.security.privacy.PublicSplit;
import dev.pipit.compress.security.privacy.RdpAccountant;
import dev.pipit.compress.train.DpSgdOptions;
import dev.pipit.compress.train.DpSgdTrainer;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.graph.OpType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A model trained from scratch with DP-SGD at a target ε (δ = 1e-5), then static int8 calibrated on the public
 * images only ({@link PublicSplit}): activation ranges taken from private images would escape the accounting, ranges
 * from public ones are post-processing and cost nothing. Fine-tuning the non-private
 * parent would not be private, so the parent only lends its kind: a CNN parent gets the small 8-16-48 CNN (DP-SGD
 * favours few parameters and per-example gradients are the cost), an MLP parent a 128-unit MLP. σ is the smallest
 * noise multiplier whose RDP-accounted ε over the whole run meets the target.
 */
final class DifferentiallyPrivate implements Technique {

    static final double DELTA = 1e-5;
    static final int EPOCHS = 3;
    static final int BATCH = 512;
    static final double CLIP = 1.0;
    static final float RATE = 3e-3f;

    private final int targetEpsilon;

    DifferentiallyPrivate(int targetEpsilon) {
        this.targetEpsilon = targetEpsilon;
    }

    @Override
    public String id() {
        return "dp-eps" + targetEpsilon;
    }

    @Override
    public VariantResult build(CompressionContext context) {
        boolean convolutional = context.parent().nodes().stream().anyMatch(n -> n.op() == OpType.CONV_2D);
        Network net = convolutional ? Network.cnn(8, 16, 48, context.seed()) : Network.mlp(new int[] {128, 10}, context.seed());
        int n = context.train().count();
        DpSgdOptions probe = new DpSgdOptions(EPOCHS, BATCH, 1, CLIP, RATE, context.seed(), context.threads());
        double q = probe.samplingRate(n);
        long steps = probe.steps(n);
        double sigma = RdpAccountant.sigmaFor(targetEpsilon, q, steps, DELTA);
        double epsilon = RdpAccountant.epsilon(q, sigma, steps, DELTA);
        DpSgdOptions options = new DpSgdOptions(EPOCHS, BATCH, sigma, CLIP, RATE, context.seed(), context.threads());
        context.log().printf(Locale.ROOT, "  %s: DP-SGD σ=%.3f C=%.1f q=%.5f, %d steps -> ε=%.3f at δ=%.0e%n", id(), sigma,
                CLIP, q, steps, epsilon, DELTA);
        DpSgdTrainer.train(net, context.train(), null, options, s -> context.log().printf(Locale.ROOT,
                "  %s: epoch %d/%d  loss %.4f  %.1f s%n", id(), s.epoch(), EPOCHS, s.loss(), s.millis() / 1000.0));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("epsilon", epsilon);
        details.put("epsilonMironov2017", RdpAccountant.epsilon(q, sigma, steps, DELTA, RdpAccountant.Conversion.MIRONOV_2017));
        details.put("delta", DELTA);
        details.put("noiseMultiplier", sigma);
        details.put("clipNorm", CLIP);
        details.put("epochs", EPOCHS);
        details.put("steps", steps);
        details.put("samplingRate", q);
        details.put("sampling", "poisson");
        details.put("parameters", net.parameterCount());
        CompressionContext open = CompressionContext.of(context.parent(), PublicSplit.publicImages(context.train()),
                context.test(), context.calibrationCount(), context.budget(), context.seed(), context.threads(), context.log());
        return open.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(), String.format(Locale.ROOT,
                "%s trained from scratch with DP-SGD (ε=%.2f, δ=%.0e; σ=%.3f, C=%.1f, Poisson q=%.4f, %d epochs, Adam %.0e), "
                        + "int8 calibrated on public images",
                convolutional ? "CNN 8-16-48" : "MLP 128", epsilon, DELTA, sigma, CLIP, q, EPOCHS, RATE), details);
    }
}
