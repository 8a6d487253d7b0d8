package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Int8 leaky RELU as TFLite's: {@code x − inputZp} requantized by {@code inputScale / outputScale} when
 * non-negative, by {@code alpha · inputScale / outputScale} (its own fixed-point multiplier) otherwise,
 * plus the output zero point, clamped to [-128, 127]. Safe in place.
 */
public final class Int8LeakyRelu {

    private final int inputZeroPoint;
    private final FixedPointMultiplier identity;
    private final FixedPointMultiplier alpha;
    private final int outputZeroPoint;

    /** @param alpha the slope for negative inputs, at least 0 */
    public Int8LeakyRelu(Quantization input, Quantization output, float alpha) {
        if (!(alpha >= 0f) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and non-negative, was " + alpha);
        }
        this.inputZeroPoint = input.zeroPoint();
        this.identity = FixedPointMultiplier.of((double) input.scale() / output.scale());
        this.alpha = FixedPointMultiplier.of((double) alpha * input.scale() / output.scale());
        this.outputZeroPoint = output.zeroPoint();
    }

    public void apply(byte[] x, int xOff, byte[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            int v = x[xOff + i] - inputZeroPoint;
            int r = outputZeroPoint + (v >= 0 ? identity.apply(v) : alpha.apply(v));
            y[yOff + i] = (byte) Math.min(127, Math.max(-128, r));
        }
    }
}
