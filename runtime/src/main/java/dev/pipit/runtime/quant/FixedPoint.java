package dev.pipit.runtime.quant;

/**
 * gemmlowp / TFLite fixed-point primitives for int8 requantization, default <b>double-rounding</b> path:
 * a rounding high multiply followed by a rounding shift, each rounding once (TFLite's
 * {@code TFLITE_SINGLE_ROUNDING} path rounds once and can differ by one at ties).
 *
 * <p>Rounding, exactly: {@link #saturatingRoundingDoublingHighMul} rounds half up (towards +∞, like
 * ARM's {@code SQRDMULH}); {@link #roundingDivideByPot} rounds half away from zero.
 */
public final class FixedPoint {

    private FixedPoint() {
    }

    /**
     * {@code round(a · b / 2^31)}, ties towards +∞; saturates the one overflowing case
     * {@code a == b == Integer.MIN_VALUE} to {@code Integer.MAX_VALUE}.
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * b;
        long nudge = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
        return (int) ((ab + nudge) / (1L << 31)); // '/' truncates towards zero, as in C++; '>>' would floor
    }

    /** {@code round(x / 2^exponent)}, ties away from zero; {@code exponent} in [0, 31]. */
    public static int roundingDivideByPot(int x, int exponent) {
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * {@code x · multiplier · 2^(shift − 31)}, rounded twice (double-rounding path). A positive shift
     * multiplies {@code x} by {@code 2^shift} first, wrapping on overflow as TFLite's int32 does.
     */
    public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
        int left = Math.max(shift, 0);
        int right = Math.max(-shift, 0);
        return roundingDivideByPot(saturatingRoundingDoublingHighMul(x << left, multiplier), right);
    }
}
