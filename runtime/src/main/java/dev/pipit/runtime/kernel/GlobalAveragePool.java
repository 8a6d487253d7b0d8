package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Mean over each channel's {@code plane} elements: {@code [n, c, h, w]} to {@code [n, c]}. Int8:
 * {@code Σ (x − x_zp)} requantized by {@code inputScale / (outputScale · plane)} (double rounding), plus
 * the output zero point, clamped.
 */
public final class GlobalAveragePool {

    /** Largest plane whose int8 sum fits: plane · 255 < 2^31. */
    static final int MAX_PLANE = Integer.MAX_VALUE / 255;

    private final int channels;
    private final int plane;
    private final int inputZeroPoint;
    private final FixedPointMultiplier multiplier;
    private final int outputZeroPoint;

    /** fp32. */
    public GlobalAveragePool(int channels, int plane) {
        this(channels, plane, null, null);
    }

    /** Int8 from {@code input} to {@code output} quantization (null for fp32). */
    public GlobalAveragePool(int channels, int plane, Quantization input, Quantization output) {
        if (plane > MAX_PLANE) {
            throw new IllegalArgumentException("a plane of " + plane + " elements could overflow the int32 sum");
        }
        this.channels = channels;
        this.plane = plane;
        this.inputZeroPoint = input == null ? 0 : input.zeroPoint();
        this.multiplier = input == null ? null : FixedPointMultiplier.of((double) input.scale() / ((double) output.scale() * plane));
        this.outputZeroPoint = output == null ? 0 : output.zeroPoint();
    }


    public void run(float[] x, int xOff, float[] y, int yOff, int batch) {
        for (int p = 0; p < batch * channels; p++) {
            float sum = 0f;
            for (int i = 0; i < plane; i++) {
                sum += x[xOff + p * plane + i];
            }
            y[yOff + p] = sum / plane;
        }
    }

    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch) {
        for (int p = 0; p < batch * channels; p++) {
            int sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += x[xOff + p * plane + i];
            }
            int v = multiplier.apply(sum - plane * inputZeroPoint) + outputZeroPoint;
            y[yOff + p] = (byte) Math.max(-128, Math.min(127, v));
        }
    }
}
