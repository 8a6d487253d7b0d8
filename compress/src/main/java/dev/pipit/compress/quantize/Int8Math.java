package dev.pipit.compress.quantize;

import dev.pipit.runtime.graph.Quantization;

/** The TFLite int8 quantization rules the quantizer applies. */
final class Int8Math {

    private Int8Math() {
    }

    /** Asymmetric per-tensor parameters covering {@code range} with int8 [-128, 127]. */
    static Quantization activation(Range range) {
        float scale = (range.max() - range.min()) / 255f;
        if (!(scale > 0f)) {
            return Quantization.perTensor(1f, 0); // an all-zero tensor: any scale represents it exactly
        }
        long zeroPoint = roundHalfAway(-128 - range.min() / scale);
        return Quantization.perTensor(scale, (int) Math.max(-128, Math.min(127, zeroPoint)));
    }

    /** Symmetric scale for one weight channel: its largest magnitude maps to 127. */
    static float weightScale(float[] w, int from, int to) {
        float maxAbs = 0f;
        for (int i = from; i < to; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(w[i]));
        }
        return maxAbs > 0f ? maxAbs / 127f : 1f;
    }

    static byte quantizeWeight(float w, float scale) {
        return (byte) Math.max(-127, Math.min(127, roundHalfAway(w / scale)));
    }

    static int quantizeBias(float b, double scale) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, roundHalfAway(b / scale)));
    }

    /** std::round: halves away from zero (Math.round rounds them up). */
    static long roundHalfAway(double x) {
        return (long) (Math.signum(x) * Math.floor(Math.abs(x) + 0.5));
    }
}
