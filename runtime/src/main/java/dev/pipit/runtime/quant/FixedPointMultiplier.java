package dev.pipit.runtime.quant;

/**
 * A real multiplier as TFLite's {@code QuantizeMultiplier} encodes it:
 * {@code real ≈ multiplier · 2^(shift − 31)} with {@code multiplier} a Q31 value in [2^30, 2^31) (or 0).
 * {@link #apply} uses the double-rounding path of {@link FixedPoint#multiplyByQuantizedMultiplier}.
 *
 * @param multiplier Q31 mantissa, 0 or in [2^30, 2^31)
 * @param shift power-of-two exponent in [-31, 30]; positive shifts left before the multiply
 */
public record FixedPointMultiplier(int multiplier, int shift) {

    public FixedPointMultiplier {
        if (multiplier != 0 && multiplier < 1 << 30) {
            throw new IllegalArgumentException("multiplier must be 0 or in [2^30, 2^31), was " + multiplier);
        }
        if (shift < -31 || shift > 30) {
            throw new IllegalArgumentException("shift must be in [-31, 30], was " + shift);
        }
    }

    /**
     * Encodes {@code real} like TFLite's {@code QuantizeMultiplier}: {@code frexp} gives
     * {@code real = q · 2^shift} with q in [0.5, 1); {@code q · 2^31} is rounded half away from zero (a
     * carry to 2^31 halves it and bumps the shift). A shift below −31 (real ≲ 2^-32) encodes as zero.
     *
     * @param real finite, non-negative and below 2^30
     */
    public static FixedPointMultiplier of(double real) {
        if (!(real >= 0) || real >= 0x1p30) {
            throw new IllegalArgumentException("real multiplier must be in [0, 2^30), was " + real);
        }
        if (real < 0x1p-40) { // also keeps subnormals, whose exponent frexp would normalise, out
            return new FixedPointMultiplier(0, 0);
        }
        int shift = Math.getExponent(real) + 1;               // frexp's exponent: real = q · 2^shift
        double q = Math.scalb(real, -shift);                  // in [0.5, 1)
        long fixed = Math.round(Math.scalb(q, 31));           // q > 0, so Math.round is half away from zero
        if (fixed == 1L << 31) {
            fixed >>= 1;
            shift++;
        }
        if (shift < -31) {
            return new FixedPointMultiplier(0, 0);
        }
        if (shift > 30) {
            throw new IllegalArgumentException("real multiplier " + real + " rounds up to 2^30");
        }
        return new FixedPointMultiplier((int) fixed, shift);
    }

    /** {@code round(acc · real)}, double-rounding path. */
    public int apply(int acc) {
        return FixedPoint.multiplyByQuantizedMultiplier(acc, multiplier, shift);
    }
}
