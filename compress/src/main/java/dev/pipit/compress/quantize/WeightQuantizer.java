package dev.pipit.compress.quantize;

import java.util.Random;

/**
 * Turns a layer's float weights {@code [rows = output channels, cols]} into symmetric int8 in
 * [-127, 127] and the scales they use: one per row (per-channel) or one shared (per-tensor).
 */
public interface WeightQuantizer {

    /**
     * @param q the int8 weights, filled in
     * @return the scales: {@code rows} of them, all equal for a per-tensor scheme
     */
    float[] quantize(float[] w, int rows, int cols, byte[] q);

    /** Per-channel scales, rounding to nearest (half away from zero): the TFLite default. */
    static WeightQuantizer perChannel() {
        return (w, rows, cols, q) -> {
            float[] scales = new float[rows];
            for (int r = 0; r < rows; r++) {
                scales[r] = Int8Math.weightScale(w, r * cols, (r + 1) * cols);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    q[i] = Int8Math.quantizeWeight(w[i], scales[r]);
                }
            }
            return scales;
        };
    }

    /** One scale for the whole layer (what a palette shared by all channels needs), nearest rounding. */
    static WeightQuantizer perTensor() {
        return (w, rows, cols, q) -> {
            float scale = Int8Math.weightScale(w, 0, w.length);
            float[] scales = new float[rows];
            java.util.Arrays.fill(scales, scale);
            for (int i = 0; i < w.length; i++) {
                q[i] = Int8Math.quantizeWeight(w[i], scale);
            }
            return scales;
        };
    }

    /**
     * Per-channel scales with seeded stochastic rounding: {@code w/s} rounds up with probability equal to
     * its fractional part, so the rounding error is zero in expectation (Gupta et al., 2015).
     */
    static WeightQuantizer stochastic(long seed) {
        return (w, rows, cols, q) -> {
            Random random = new Random(seed);
            float[] scales = new float[rows];
            for (int r = 0; r < rows; r++) {
                scales[r] = Int8Math.weightScale(w, r * cols, (r + 1) * cols);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double x = w[i] / scales[r];
                    double floor = Math.floor(x);
                    long rounded = (long) floor + (random.nextDouble() < x - floor ? 1 : 0);
                    q[i] = (byte) Math.max(-127, Math.min(127, rounded));
                }
            }
            return scales;
        };
    }
}
