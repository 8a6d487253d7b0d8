package dev.pipit.compress.variant;

import dev.pipit.compress.cluster.Palettizer;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.WeightedLayer;
import java.util.Map;

/**
 * Weight clustering: 16 shared values per layer by k-means, the shared values fine-tuned (every weight
 * tied to its cluster's mean), int8 with one scale per layer so the 16 values stay 16 int8 values, stored
 * as 4-bit indices and a per-layer codebook that the runtime decodes inside its kernels.
 */
final class Palettized implements Technique {

    static final int CLUSTERS = 16;

    @Override
    public String id() {
        return "palette16";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network net = context.trainable();
        for (WeightedLayer l : net.weighted()) {
            Palettizer.apply(l, CLUSTERS);
        }
        context.fineTune("palette16", net, context.budget().palette(), CompressionContext.FINE_TUNE_RATE, null);
        for (WeightedLayer l : net.weighted()) {
            l.setPalette(null, 0);
        }
        VariantResult dense = context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perTensor(), "", Map.of());
        return new VariantResult(CompressedFormats.palette4(dense.graph()),
                "k-means to 16 shared values per layer, centroids fine-tuned " + context.budget().palette()
                        + " epoch(s), int8 (per-layer scale), 4-bit palettized weights", dense.calibration(), Map.of());
    }
}
