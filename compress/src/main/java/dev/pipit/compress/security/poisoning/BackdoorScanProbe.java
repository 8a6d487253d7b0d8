package dev.pipit.compress.security.poisoning;

import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.security.SecurityProbe;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.List;
import java.util.Map;

/**
 * A cheap trigger scan of each variant's final graph: stamps candidate patches (white squares of 2 to 4 pixels in
 * each corner) on clean test images and reports, over candidates and classes, the largest fraction of the images
 * not already predicted as that class which the patch flips to it ({@code backdoorScanFlipRate}). A clean
 * classifier barely notices a few corner pixels; a model with a patch backdoor sends most images to its target
 * class. It finds only triggers like its candidates (Neural Cleanse-style trigger search would find others).
 */
public final class BackdoorScanProbe implements SecurityProbe {

    static final List<TriggerPatch> CANDIDATES = TriggerPatch.candidates(2, 3, 4);

    private final LabeledImages images;

    public BackdoorScanProbe(LabeledImages images) {
        this.images = images;
    }

    /** The first {@code context.images()} test images. */
    public static BackdoorScanProbe prepare(SecurityContext context) {
        return new BackdoorScanProbe(context.nonMembers().slice(0, context.images()));
    }

    @Override
    public Map<String, Double> measure(VariantBuild variant) {
        return Map.of("backdoorScanFlipRate", flipRate(variant.graph()));
    }

    public double flipRate(Graph graph) {
        int n = images.count();
        int classes = images.classes();
        float[] clean = new float[n * images.imageSize()];
        images.copyImages(0, n, clean, 0);
        double worst = 0;
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(Evaluator.ACCURACY_BATCH, 1))) {
            int[] before = Evaluator.predict(interpreter, clean, n, Evaluator.ACCURACY_BATCH);
            for (TriggerPatch patch : CANDIDATES) {
                int[] after = Evaluator.predict(interpreter, patch.stampAll(images), n, Evaluator.ACCURACY_BATCH);
                for (int c = 0; c < classes; c++) {
                    int eligible = 0;
                    int flipped = 0;
                    for (int i = 0; i < n; i++) {
                        if (before[i] != c) {
                            eligible++;
                            flipped += after[i] == c ? 1 : 0;
                        }
                    }
                    if (eligible > 0) {
                        worst = Math.max(worst, (double) flipped / eligible);
                    }
                }
            }
        }
        return worst;
    }
}
