package dev.pipit.runtime.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointMultiplierTest {

    @Test
    void of_handComputedReals_matchQuantizeMultiplier() {
        assertEquals(new FixedPointMultiplier(1 << 30, 1), FixedPointMultiplier.of(1.0));
        assertEquals(new FixedPointMultiplier(1 << 30, 0), FixedPointMultiplier.of(0.5));
        assertEquals(new FixedPointMultiplier(3 << 29, 0), FixedPointMultiplier.of(0.75));
        assertEquals(new FixedPointMultiplier(1 << 30, -1), FixedPointMultiplier.of(0.25));
        assertEquals(new FixedPointMultiplier(1717986918, -3), FixedPointMultiplier.of(0.1)); // 0.8 · 2^31 = 1717986918.4
        assertEquals(new FixedPointMultiplier(0, 0), FixedPointMultiplier.of(0.0));
    }

    @Test
    void of_mantissaRoundingUpTo2Pow31_halvesAndBumpsShift() {
        assertEquals(new FixedPointMultiplier(1 << 30, 1), FixedPointMultiplier.of(1 - 0x1p-40));
        assertEquals(new FixedPointMultiplier(1 << 30, -31), FixedPointMultiplier.of(0x1p-32 - 0x1p-80));
    }

    @Test
    void of_shiftBelowMinus31_encodesZero() {
        assertEquals(new FixedPointMultiplier(1 << 30, -31), FixedPointMultiplier.of(0x1p-32));
        assertEquals(new FixedPointMultiplier(0, 0), FixedPointMultiplier.of(0x1p-33));
        assertEquals(new FixedPointMultiplier(0, 0), FixedPointMultiplier.of(Double.MIN_VALUE));
    }

    @Test
    void of_randomReals_matchExactReference() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 50_000; i++) {
            double real = Math.scalb(random.nextDouble(0.5, 1.0), random.nextInt(-34, 30));
            assertEquals(ExactFixedPoint.quantize(real), FixedPointMultiplier.of(real), "real " + real);
        }
    }

    @Test
    void of_negativeNanInfiniteOrTooLarge_throws() {
        for (double bad : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY, 0x1p30, 0x1p30 - 0x1p-30}) {
            assertThrows(IllegalArgumentException.class, () -> FixedPointMultiplier.of(bad), "real " + bad);
        }
    }

    @Test
    void constructor_unnormalisedMultiplierOrShiftOutOfRange_throws() {
        assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(12345, 0));
        assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(-(1 << 30), 0));
        assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(1 << 30, 31));
        assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(1 << 30, -32));
    }

    @Test
    void apply_randomAccumulators_matchesRoundedProductWithinOne() {
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 50_000; i++) {
            double real = Math.scalb(random.nextDouble(0.5, 1.0), random.nextInt(-20, 0));
            FixedPointMultiplier m = FixedPointMultiplier.of(real);
            int acc = random.nextInt(-(1 << 24), 1 << 24);
            assertEquals(ExactFixedPoint.multiply(acc, m.multiplier(), m.shift()), m.apply(acc));
            assertEquals(acc * real, m.apply(acc), 1.0 + Math.abs(acc * real) * 0x1p-30, "acc " + acc + " real " + real);
        }
    }
}
