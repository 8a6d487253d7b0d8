package dev.pipit.compress.security.evasion;

import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.security.SecurityProbe;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Evasion: FGSM and PGD (L∞, ε 0.05 and 0.1) crafted white-box on the fp32 parent over the first
 * {@code images} test images and transferred to every variant, whose final graph classifies them with the
 * runtime's kernels; plus PGD ε 0.1 crafted on each variant's own dequantized weights
 * ({@link VariantNetwork}), which gradient masking by int8 rounding cannot flatter.
 */
public final class EvasionProbe implements SecurityProbe {

    public static final float EPSILON = 0.1f;
    public static final float SMALL_EPSILON = 0.05f;
    public static final int PGD_STEPS = 10;
    /** Images per gradient batch and per interpreter call. */
    static final int BATCH = 100;

    private final SecurityContext context;
    private final float[] clean;
    private final int[] labels;
    private final Map<String, float[]> transferred = new LinkedHashMap<>();

    private EvasionProbe(SecurityContext context, float[] clean, int[] labels) {
        this.context = context;
        this.clean = clean;
        this.labels = labels;
    }

    /** Crafts the transferred attacks on the parent (the first {@code context.images()} non-members). */
    public static EvasionProbe prepare(SecurityContext context) {
        LabeledImages test = context.nonMembers();
        int n = context.images();
        float[] clean = new float[n * test.imageSize()];
        test.copyImages(0, n, clean, 0);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = test.label(i);
        }
        EvasionProbe probe = new EvasionProbe(context, clean, labels);
        long start = System.nanoTime();
        Backprop parent = new Backprop(context.parent().copy(), BATCH, context.threads());
        probe.transferred.put("fgsmAccuracy", LinfAttack.fgsm(EPSILON).craft(parent, clean, labels, n));
        probe.transferred.put("pgdAccuracy", probe.pgd(EPSILON).craft(parent, clean, labels, n));
        probe.transferred.put("fgsmAccuracyEps005", LinfAttack.fgsm(SMALL_EPSILON).craft(parent, clean, labels, n));
        probe.transferred.put("pgdAccuracyEps005", probe.pgd(SMALL_EPSILON).craft(parent, clean, labels, n));
        context.log().printf(Locale.ROOT, "evasion: FGSM and PGD-%d (ε %.2f, %.2f) crafted on the fp32 parent over %d "
                + "test images in %.0f s%n", PGD_STEPS, SMALL_EPSILON, EPSILON, n, (System.nanoTime() - start) / 1e9);
        return probe;
    }

    private LinfAttack pgd(float epsilon) {
        return LinfAttack.pgd(epsilon, PGD_STEPS, context.seed());
    }

    @Override
    public Map<String, Double> measure(VariantBuild variant) {
        Map<String, Double> figures = new LinkedHashMap<>();
        try (Interpreter interpreter = Interpreter.load(variant.graph(), new RuntimeOptions(BATCH, 1))) {
            figures.put("cleanAccuracy", accuracy(interpreter, clean, labels));
            transferred.forEach((key, images) -> figures.put(key, accuracy(interpreter, images, labels)));
            Network own = lowered(variant.id(), variant.graph());
            if (own != null) {
                float[] adv = pgd(EPSILON).craft(new Backprop(own, BATCH, context.threads()), clean, labels, labels.length);
                figures.put("pgdWhiteBoxAccuracy", accuracy(interpreter, adv, labels));
            }
        }
        return figures;
    }

    private Network lowered(String id, Graph graph) {
        try {
            return VariantNetwork.lower(graph);
        } catch (IllegalArgumentException e) {
            context.log().printf(Locale.ROOT, "evasion: no white-box attack on %s: %s%n", id, e.getMessage());
            return null;
        }
    }

    /** Fraction of {@code images} (row-major floats) the interpreter classifies as {@code labels}. */
    public static double accuracy(Interpreter interpreter, float[] images, int[] labels) {
        int[] predicted = Evaluator.predict(interpreter, images, labels.length, BATCH);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }
}
