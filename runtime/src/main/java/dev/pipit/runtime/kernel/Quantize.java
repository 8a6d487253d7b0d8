package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;

/**
 * fp32 to int8, as TFLite's reference {@code AffineQuantize}: {@code q = round(x / scale) + zeroPoint}
 * with the division in fp32, rounding half away from zero ({@code std::round}; Java's
 * {@code Math.round} rounds half up), clamped to [-128, 127]. NaN maps to the zero point.
 */
public final class Quantize {

    private final float scale;
    private final int zeroPoint;

    public Quantize(Quantization output) {
        this.scale = output.scale();
        this.zeroPoint = output.zeroPoint();
    }

    public void apply(float[] x, int xOff, byte[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            // As roundHalfAwayFromZero, clamped: the magnitude is capped at 256 first (no int overflow, same
            // result after the final clamp), so a cast truncates it exactly and no double floor is needed.
            // NaN: the cap stays NaN, which casts to 0, giving the zero point.
            float v = x[xOff + i] / scale;
            float magnitude = Math.min(Math.abs(v), 256f);
            int whole = (int) magnitude;
            int rounded = magnitude - whole >= 0.5f ? whole + 1 : whole;
            int q = (v < 0 ? -rounded : rounded) + zeroPoint;
            y[yOff + i] = (byte) Math.min(127, Math.max(-128, q));
        }
    }

    /** Round to nearest, ties away from zero ({@code std::round}). */
    static float roundHalfAwayFromZero(float v) {
        float magnitude = Math.abs(v);
        float floor = (float) Math.floor(magnitude);
        return Math.copySign(magnitude - floor >= 0.5f ? floor + 1f : floor, v); // the fraction is exact
    }
}
