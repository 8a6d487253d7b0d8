package dev.pipit.compress.variant;

import dev.pipit.compress.prune.ChannelPruning;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import java.util.Map;

/** Half of every convolution's channels removed (smallest L1 norm), fine-tuned, dense int8 of the smaller model. */
final class ChannelPruned implements Technique {

    @Override
    public String id() {
        return "channels50";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network parent = context.trainable();
        if (parent.layers().stream().noneMatch(l -> l instanceof dev.pipit.compress.train.Conv2d)) {
            throw new IllegalArgumentException("channels50 prunes convolution channels; the model has no convolution");
        }
        Network net = ChannelPruning.prune(parent, 0.5);
        context.fineTune("channels50", net, context.budget().channels(), CompressionContext.FINE_TUNE_RATE * 5, null, null);
        return context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(),
                "50% of convolution channels pruned by L1 norm, " + context.budget().channels()
                        + " epoch(s) fine-tuned, dense int8", Map.of("parameters", net.parameterCount()));
    }
}
