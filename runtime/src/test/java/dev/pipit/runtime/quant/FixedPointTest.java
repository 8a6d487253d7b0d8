package dev.pipit.runtime.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FixedPointTest {

    private static final int[] EDGES = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -(1 << 30), -3, -2, -1, 0, 1, 2, 3,
            1 << 30, (1 << 30) + 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    private static final int RANDOM_CASES = 200_000;

    /** Uniform ints, small ints and edges: requantization inputs cluster near zero but must hold everywhere. */
    private static int anyInt(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> EDGES[random.nextInt(EDGES.length)];
            case 1 -> random.nextInt(-100_000, 100_000);
            default -> random.nextInt();
        };
    }

    private static int anyMultiplier(SplittableRandom random) {
        return random.nextInt(8) == 0 ? (random.nextBoolean() ? 1 << 30 : Integer.MAX_VALUE)
                : random.nextInt(1 << 30, Integer.MAX_VALUE);
    }

    @Test
    void saturatingRoundingDoublingHighMul_randomAndEdgeValues_matchExactReference() {
        SplittableRandom random = new SplittableRandom(1);
        for (int a : EDGES) {
            for (int b : EDGES) {
                assertEquals(ExactFixedPoint.highMul(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
            }
        }
        for (int i = 0; i < RANDOM_CASES; i++) {
            int a = anyInt(random), b = anyInt(random);
            assertEquals(ExactFixedPoint.highMul(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
        }
    }

    @Test
    void saturatingRoundingDoublingHighMul_ties_roundTowardsPositiveInfinity() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 10_000; i++) {
            int odd = random.nextInt(-(1 << 20), 1 << 20) | 1;
            int k = random.nextInt(0, 11);
            int a = odd << k, b = 1 << (30 - k); // a·b = odd · 2^30: exactly halfway
            assertEquals(ExactFixedPoint.highMul(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b));
            assertEquals(Math.floorDiv(odd, 2) + 1, FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
        }
    }

    @Test
    void saturatingRoundingDoublingHighMul_handComputedValues_match() {
        assertEquals(Integer.MAX_VALUE, FixedPoint.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MIN_VALUE));
        assertEquals(1 << 29, FixedPoint.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30));
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30));   //  0.5 → 1
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30));  // -0.5 → 0
        assertEquals(2, FixedPoint.saturatingRoundingDoublingHighMul(3, 1 << 30));   //  1.5 → 2
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30)); // -1.5 → -1
        assertEquals(-Integer.MAX_VALUE, FixedPoint.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void roundingDivideByPot_randomTiesAndEdges_matchExactReference() {
        SplittableRandom random = new SplittableRandom(3);
        for (int e = 0; e <= 31; e++) {
            for (int x : EDGES) {
                assertEquals(ExactFixedPoint.divideByPot(x, e), FixedPoint.roundingDivideByPot(x, e), x + " / 2^" + e);
            }
        }
        for (int i = 0; i < RANDOM_CASES; i++) {
            int e = random.nextInt(0, 32);
            int x = random.nextBoolean() || e == 0 ? anyInt(random)
                    : (int) (random.nextLong(-(1L << (31 - e)), 1L << (31 - e)) << e) + (1 << (e - 1)); // a tie
            assertEquals(ExactFixedPoint.divideByPot(x, e), FixedPoint.roundingDivideByPot(x, e), x + " / 2^" + e);
        }
    }

    @Test
    void roundingDivideByPot_handComputedValues_roundHalfAwayFromZero() {
        assertEquals(3, FixedPoint.roundingDivideByPot(5, 1));   //  2.5
        assertEquals(-3, FixedPoint.roundingDivideByPot(-5, 1)); // -2.5
        assertEquals(2, FixedPoint.roundingDivideByPot(7, 2));   //  1.75
        assertEquals(-1, FixedPoint.roundingDivideByPot(-5, 2)); // -1.25
        assertEquals(-2, FixedPoint.roundingDivideByPot(-6, 2)); // -1.5
        assertEquals(42, FixedPoint.roundingDivideByPot(42, 0));
        assertEquals(-1, FixedPoint.roundingDivideByPot(Integer.MIN_VALUE, 31));
        assertEquals(1, FixedPoint.roundingDivideByPot(Integer.MAX_VALUE, 31));
    }

    @Test
    void multiplyByQuantizedMultiplier_randomAndEdgeValuesOverAllShifts_matchExactReference() {
        SplittableRandom random = new SplittableRandom(4);
        IntStream.rangeClosed(-31, 30).forEach(shift -> {
            for (int x : EDGES) {
                for (int m : new int[] {0, 1 << 30, (1 << 30) + 1, Integer.MAX_VALUE}) {
                    assertEquals(ExactFixedPoint.multiply(x, m, shift), FixedPoint.multiplyByQuantizedMultiplier(x, m, shift),
                            x + " * " + m + " * 2^" + shift);
                }
            }
        });
        for (int i = 0; i < RANDOM_CASES; i++) {
            int x = anyInt(random), m = anyMultiplier(random), shift = random.nextInt(-31, 31);
            assertEquals(ExactFixedPoint.multiply(x, m, shift), FixedPoint.multiplyByQuantizedMultiplier(x, m, shift),
                    x + " * " + m + " * 2^" + shift);
        }
    }

    @Test
    void multiplyByQuantizedMultiplier_handComputedValues_roundTwice() {
        assertEquals(50, FixedPoint.multiplyByQuantizedMultiplier(100, 1 << 30, 0));   // 100 · 0.5
        assertEquals(51, FixedPoint.multiplyByQuantizedMultiplier(101, 1 << 30, 0));   // 50.5 → 51
        assertEquals(-50, FixedPoint.multiplyByQuantizedMultiplier(-101, 1 << 30, 0)); // -50.5 → -50 (high-mul tie)
        assertEquals(100, FixedPoint.multiplyByQuantizedMultiplier(100, 1 << 30, 1));  // 100 · 2 · 0.5
        // 5 · 0.25 = 1.25: single rounding gives 1; double rounding 5 · 0.5 = 2.5 → 3, then 3 / 2 = 1.5 → 2.
        assertEquals(2, FixedPoint.multiplyByQuantizedMultiplier(5, 1 << 30, -1));
        assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplier(-5, 1 << 30, -1)); // -2.5 → -2, then -2 / 2 = -1
    }
}
