package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Quantization;

/**
 * The real-valued range a fused activation clamps to: NONE (−∞, +∞), RELU [0, +∞), RELU6 [0, 6],
 * CLIP [min, max]. Int8 kernels clamp to its quantized bounds as TFLite's
 * {@code CalculateActivationRangeQuantized}: {@code zeroPoint + round(bound / scale)} (fp32 division,
 * ties away from zero), intersected with [-128, 127].
 */
public record ActivationRange(float min, float max) {

    public static final ActivationRange NONE = new ActivationRange(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);

    public ActivationRange {
        if (!(min <= max)) {
            throw new IllegalArgumentException("activation range [" + min + ", " + max + "] is empty or NaN");
        }
    }

    /** The range of an activation without parameters (CLIP needs {@link #clip}). */
    public static ActivationRange of(Activation activation) {
        return switch (activation) {
            case NONE -> NONE;
            case RELU -> new ActivationRange(0f, Float.POSITIVE_INFINITY);
            case RELU6 -> new ActivationRange(0f, 6f);
            case CLIP -> throw new IllegalArgumentException("CLIP needs its bounds");
        };
    }

    public static ActivationRange clip(float min, float max) {
        return new ActivationRange(min, max);
    }

    public float clamp(float v) {
        return Math.min(max, Math.max(min, v));
    }

    /** Lowest int8 output the activation allows under {@code output}. */
    public int int8Min(Quantization output) {
        return min == Float.NEGATIVE_INFINITY ? -128 : Math.max(-128, quantize(min, output));
    }

    /** Highest int8 output the activation allows under {@code output}. */
    public int int8Max(Quantization output) {
        return max == Float.POSITIVE_INFINITY ? 127 : Math.min(127, quantize(max, output));
    }

    private static int quantize(float real, Quantization q) {
        float r = Quantize.roundHalfAwayFromZero(real / q.scale());
        return (int) Math.max(-512f, Math.min(512f, r)) + q.zeroPoint(); // pre-clamped: no int overflow
    }
}
