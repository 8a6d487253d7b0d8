package dev.pipit.compress.variant;

import dev.pipit.compress.lowrank.LowRankFactorization;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Dense;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fully-connected layers factored by truncated SVD into two thinner ones (≥ 2× fewer parameters), fine-tuned, int8. */
final class LowRank implements Technique {

    static final double BUDGET = 0.5;

    @Override
    public String id() {
        return "lowrank";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network parent = context.trainable();
        int[] ranks = LowRankFactorization.ranks(parent, BUDGET);
        Network net = LowRankFactorization.factor(parent, ranks);
        long before = fcWeights(parent);
        long after = fcWeights(net);
        context.fineTune("lowrank", net, context.budget().lowRank(), CompressionContext.FINE_TUNE_RATE * 5, null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ranks", Arrays.toString(ranks));
        details.put("fcWeightsBefore", before);
        details.put("fcWeightsAfter", after);
        return context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(),
                "truncated SVD of the fully-connected layers (ranks " + Arrays.toString(ranks) + ", 0 = kept whole; "
                        + before + " → " + after + " weights), " + context.budget().lowRank() + " epoch(s) fine-tuned, int8",
                details);
    }

    private static long fcWeights(Network net) {
        return net.layers().stream().filter(l -> l instanceof Dense).mapToLong(l -> ((Dense) l).weight().length).sum();
    }
}
