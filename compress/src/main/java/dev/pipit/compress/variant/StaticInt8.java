package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.WeightQuantizer;
import java.util.Map;

/** Static post-training int8: per-channel weights, per-tensor activations with calibration chosen per tensor. */
final class StaticInt8 implements Technique {

    @Override
    public String id() {
        return "int8";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        return context.quantize(context.parent(), WeightQuantizer.perChannel(),
                "static int8 PTQ (per-channel weights; per-tensor calibration min-max/percentile/MSE chosen by output MSE on "
                        + context.calibrationCount() + " images)", Map.of());
    }
}
