package dev.pipit.compress.variant;

import dev.pipit.compress.prune.MagnitudePruning;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.WeightedLayer;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.WeightFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * 80 % unstructured sparsity: global magnitude pruning on the gradual schedule over the first two thirds
 * of fine-tuning, recovery on the final mask for the last third, then static int8 with each layer's
 * weights in whichever of the runtime's dense, CSR and bitmap forms is smallest in memory, so the zeros
 * cost neither memory nor multiplies.
 */
final class SparsePruned implements Technique {

    static final double SPARSITY = 0.8;

    @Override
    public String id() {
        return "sparse80";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network net = context.trainable();
        int epochs = context.budget().sparse();
        long steps = epochs * context.stepsPerEpoch();
        long end = Math.max(1, steps * 2 / 3);
        MagnitudePruning pruning = new MagnitudePruning(net, SPARSITY, 0, end, Math.max(1, end / 40));
        context.fineTune("sparse80", net, epochs, CompressionContext.FINE_TUNE_RATE * 5, pruning);
        MagnitudePruning.prune(net.weighted(), SPARSITY); // exactly the target, whatever the last step was
        Map<String, Object> details = new LinkedHashMap<>();
        for (WeightedLayer l : net.weighted()) {
            l.setMask(null);
        }
        Map<String, Double> sparsity = new LinkedHashMap<>();
        var names = GraphLowering.outputNames(net);
        for (int i = 0; i < net.layers().size(); i++) {
            if (net.layers().get(i) instanceof WeightedLayer l) {
                sparsity.put(names.get(i).replace(".out", ""), l.sparsity());
            }
        }
        details.put("layerSparsity", sparsity);
        VariantResult dense = context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(), "", Map.of());
        Graph sparse = CompressedFormats.sparse(dense.graph());
        Map<String, String> formats = new LinkedHashMap<>();
        for (Node n : sparse.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D) {
                formats.put(n.name(), WeightFormat.of(n).attribute());
            }
        }
        details.put("layerFormats", formats);
        return new VariantResult(sparse, String.format(Locale.ROOT,
                "%.0f%% magnitude pruning (global, gradual over %d of %d epochs of fine-tuning), int8, per layer the "
                        + "smallest of dense, CSR and bitmap weights",
                100 * SPARSITY, Math.max(1, epochs * 2 / 3), epochs), dense.calibration(), details);
    }
}
