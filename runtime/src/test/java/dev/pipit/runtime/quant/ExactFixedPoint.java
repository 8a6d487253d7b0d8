package dev.pipit.runtime.quant;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The double-rounding requantization from its mathematical definition, in exact rational arithmetic:
 * no nudges, masks or shifts, so it shares no bit tricks with {@link FixedPoint}.
 * <ul>
 *   <li>high multiply: {@code a·b / 2^31} rounded to nearest, ties towards +∞; {@code MIN·MIN} saturates;
 *   <li>divide by 2^e: rounded to nearest, ties away from zero;
 *   <li>a positive shift multiplies by 2^shift modulo 2^32 (int32 wrap-around) first.
 * </ul>
 */
public final class ExactFixedPoint {

    private static final BigDecimal HALF = new BigDecimal("0.5");

    private ExactFixedPoint() {
    }

    public static BigDecimal powerOfTwo(int exponent) {
        return exponent >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(exponent))
                : BigDecimal.ONE.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-exponent)));
    }

    public static int highMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        BigDecimal exact = new BigDecimal(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b))).multiply(powerOfTwo(-31));
        return exact.add(HALF).setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    public static int divideByPot(int x, int exponent) {
        return new BigDecimal(x).multiply(powerOfTwo(-exponent)).setScale(0, RoundingMode.HALF_UP).intValueExact();
    }

    public static int multiply(int x, int multiplier, int shift) {
        int wrapped = BigInteger.valueOf(x).shiftLeft(Math.max(shift, 0)).intValue(); // low 32 bits
        return divideByPot(highMul(wrapped, multiplier), Math.max(-shift, 0));
    }

    /** {@code real = q · 2^shift}, q in [0.5, 1), {@code q · 2^31} rounded half away from zero. */
    public static FixedPointMultiplier quantize(double real) {
        if (real == 0) {
            return new FixedPointMultiplier(0, 0);
        }
        BigDecimal r = new BigDecimal(real);
        int shift = 0;
        while (r.multiply(powerOfTwo(-shift)).compareTo(BigDecimal.ONE) >= 0) {
            shift++;
        }
        while (r.multiply(powerOfTwo(-shift)).compareTo(HALF) < 0) {
            shift--;
        }
        BigInteger q = r.multiply(powerOfTwo(31 - shift)).setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        if (q.equals(BigInteger.ONE.shiftLeft(31))) {
            q = q.shiftRight(1);
            shift++;
        }
        return shift < -31 ? new FixedPointMultiplier(0, 0) : new FixedPointMultiplier(q.intValueExact(), shift);
    }
}
