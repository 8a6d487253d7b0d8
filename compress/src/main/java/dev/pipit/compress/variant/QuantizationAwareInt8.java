package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.ArgmaxRange;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.quantize.Range;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.train.Distillation;
import dev.pipit.compress.train.FakeQuant;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Quantization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantization-aware fine-tuning: calibrate as for static int8, but give the logits the range of the
 * calibration samples' two largest logits ({@link ArgmaxRange}: only the argmax is used, and a coarse
 * logit grid ties the leading classes); then fine-tune with every weight layer seeing its per-channel
 * int8-rounded weights and every quantized activation rounded to its int8 grid (straight-through
 * gradients), distilled from the fp32 parent, and quantize with those same ranges, so the fine-tuned
 * weights fit exactly the grid they are deployed on.
 */
final class QuantizationAwareInt8 implements Technique {

    /**
     * A fifth of the shared fine-tuning rate: weights need only settle onto the grid, and larger steps move a
     * converged parent off its optimum (1e-4 lost 0.18–0.23 pt on Pipit's CNN).
     */
    static final float RATE = 2e-5f;

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
        String logits = canonical.outputs().get(0);
        Map<String, Range> ranges = new LinkedHashMap<>(c.ranges());
        ranges.put(logits, ArgmaxRange.of(Calibrator.run(canonical, context.calibration(), context.calibrationCount()),
                context.calibrationCount(), net.outputSize()));
        Network qat = withFakeQuant(net, ranges);
        net.weighted().forEach(l -> l.setFakeQuant(true));
        // soft targets only, T = 1: the int8 model should answer as its fp32 parent does, not re-fit the labels
        try (InterpreterTeacher parent = new InterpreterTeacher(context.parent(), 128, context.threads())) {
            context.fineTune("int8-qat", qat, context.budget().qat(), RATE, new Distillation(parent, 1f, 1f), null);
        }
        net.weighted().forEach(l -> l.setFakeQuant(false));
        Graph tuned = GraphLowering.toGraph(net);
        Map<String, String> calibration = CompressionContext.describe(c);
        calibration.put(logits, "argmax");
        return new VariantResult(StaticQuantizer.quantize(tuned, ranges, WeightQuantizer.perChannel()),
                "int8 after " + context.budget().qat() + " epoch(s) of quantization-aware fine-tuning distilled from the "
                        + "fp32 parent (fake-quantized weights and activations, straight-through estimator; logits "
                        + "ranged for the argmax)",
                calibration, Map.of());
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
