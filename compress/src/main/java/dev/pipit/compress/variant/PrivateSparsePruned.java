package dev.pipit.compress.variant;

import dev.pipit.compress.prune.MagnitudePruning;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.security.privacy.PublicSplit;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.WeightedLayer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sparse80} without touching private data: the masks come from weight magnitudes alone (global, on the same
 * gradual schedule), and the fine-tuning between and after the pruning steps, as well as the int8 calibration,
 * use only the public training images ({@link PublicSplit}), which the membership attack never samples. Whatever
 * the parent leaked stays; pruning adds no exposure of private examples. Fine-tuning runs for as many epochs
 * over the public images as make one pass over a training set's worth (12 over 5,000 of 60,000).
 */
final class PrivateSparsePruned implements Technique {

    @Override
    public String id() {
        return "sparse80-private";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        var publicImages = PublicSplit.publicImages(context.train());
        CompressionContext open = CompressionContext.of(context.parent(), publicImages, context.test(),
                context.calibrationCount(), context.budget(), context.seed(), context.threads(), context.log());
        Network net = open.trainable();
        int epochs = Math.max(1, context.train().count() / publicImages.count());
        long end = Math.max(1, epochs * open.stepsPerEpoch() * 2 / 3);
        MagnitudePruning pruning = new MagnitudePruning(net, SparsePruned.SPARSITY, 0, end, Math.max(1, end / 40));
        open.fineTune(id(), net, epochs, CompressionContext.FINE_TUNE_RATE * 5, pruning);
        MagnitudePruning.prune(net.weighted(), SparsePruned.SPARSITY);
        double zeros = 0;
        double weights = 0;
        for (WeightedLayer l : net.weighted()) {
            l.setMask(null);
            zeros += l.sparsity() * l.weight().length;
            weights += l.weight().length;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sparsity", zeros / weights);
        details.put("publicImages", publicImages.count());
        details.put("publicEpochs", epochs);
        VariantResult dense = open.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(), "", Map.of());
        return new VariantResult(CompressedFormats.sparse(dense.graph()), String.format(Locale.ROOT,
                "%.0f%% magnitude pruning (global, gradual), fine-tuned %d epochs on %d public images only, int8 "
                        + "calibrated on public images, sparse weights (per layer the smallest of dense, CSR and bitmap)", 100 * SparsePruned.SPARSITY, epochs,
                publicImages.count()), dense.calibration(), details);
    }
}
