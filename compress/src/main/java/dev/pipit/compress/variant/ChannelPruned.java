package dev.pipit.compress.variant;

import dev.pipit.compress.prune.ChannelPruning;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Conv2d;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Half of every convolution's channels removed by L1 norm in two steps — a quarter, fine-tune for a
 * third of the budget, then a third of the rest, fine-tune — so the second choice is made on weights
 * that have adapted to the first; dense int8 of the smaller model. Fine-tuning runs at the training rate:
 * losing half the channels needs relearning, not refining.
 */
final class ChannelPruned implements Technique {

    static final float RATE = 1.5e-3f;

    @Override
    public String id() {
        return "channels50";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network net = context.trainable();
        if (net.layers().stream().noneMatch(l -> l instanceof Conv2d)) {
            throw new IllegalArgumentException("channels50 prunes convolution channels; the model has no convolution");
        }
        int epochs = context.budget().channels();
        int first = epochs / 3; // 0 with fewer than 3 epochs: prune at once
        if (first > 0) {
            net = ChannelPruning.prune(net, 0.75);
            context.fineTune("channels50 (75% kept)", net, first, RATE, null);
        }
        net = ChannelPruning.prune(net, first > 0 ? 2.0 / 3 : 0.5);
        context.fineTune("channels50", net, epochs - first, RATE, null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("parameters", net.parameterCount());
        details.put("pruningSteps", first > 0 ? "25%, then 50%" : "50%");
        return context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(), String.format(Locale.ROOT,
                "50%% of convolution channels pruned by L1 norm (%s), %d epoch(s) fine-tuned at %.1e, dense int8",
                details.get("pruningSteps"), epochs, RATE), details);
    }
}
