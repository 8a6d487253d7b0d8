package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.quantize.Range;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.FakeQuant;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Quantization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Quantization-aware fine-tuning: calibrate as for static int8, then fine-tune with every weight layer
 * seeing its per-channel int8-rounded weights and every quantized activation rounded to its calibrated
 * int8 grid (straight-through gradients), and quantize with those same ranges, so the fine-tuned weights
 * fit exactly the grid they are deployed on.
 */
final class QuantizationAwareInt8 implements Technique {

    @Override
    public String id() {
        return "int8-qat";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network net = context.trainable();
        Graph canonical = GraphLowering.toGraph(net);
        Calibrator.Result c = Calibrator.select(canonical, context.calibration(), context.calibrationCount(),
                WeightQuantizer.perChannel());
        Network qat = withFakeQuant(net, c.ranges());
        net.weighted().forEach(l -> l.setFakeQuant(true));
        context.fineTune("int8-qat", qat, context.budget().qat(), CompressionContext.FINE_TUNE_RATE, null);
        net.weighted().forEach(l -> l.setFakeQuant(false));
        Graph tuned = GraphLowering.toGraph(net);
        return new VariantResult(StaticQuantizer.quantize(tuned, c.ranges(), WeightQuantizer.perChannel()),
                "int8 after " + context.budget().qat() + " epoch(s) of quantization-aware fine-tuning (fake-quantized "
                        + "weights and activations, straight-through estimator)", CompressionContext.describe(c), Map.of());
    }

    /** {@code net}'s layers (shared, not copied) with a fake-quantizer on the input and every quantized output. */
    static Network withFakeQuant(Network net, Map<String, Range> ranges) {
        List<String> names = GraphLowering.outputNames(net);
        List<Layer> layers = new ArrayList<>();
        layers.add(fakeQuant(net.inputShape(), ranges.get("input")));
        List<Layer> source = net.layers();
        for (int l = 0; l < source.size(); l++) {
            layers.add(source.get(l));
            boolean lastOfName = l + 1 == source.size() || !names.get(l + 1).equals(names.get(l));
            Range r = ranges.get(names.get(l));
            if (lastOfName && r != null) {
                layers.add(fakeQuant(source.get(l).outputShape(), r));
            }
        }
        return new Network(net.inputShape(), layers);
    }

    private static FakeQuant fakeQuant(int[] shape, Range range) {
        Quantization q = StaticQuantizer.activationQuantization(range);
        return new FakeQuant(shape, q.scale(), q.zeroPoint());
    }
}
