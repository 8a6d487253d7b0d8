package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Quantization;
import org.junit.jupiter.api.Test;

class QuantizeTest {

    private static byte[] quantize(float scale, int zeroPoint, float... x) {
        byte[] q = new byte[x.length];
        new Quantize(Quantization.perTensor(scale, zeroPoint)).apply(x, 0, q, 0, x.length);
        return q;
    }

    @Test
    void apply_ties_roundHalfAwayFromZero() {
        assertArrayEquals(new byte[] {1, -1, 3, -3, 0, 0}, quantize(0.5f, 0, 0.25f, -0.25f, 1.25f, -1.25f, 0.2f, -0.2f));
    }

    @Test
    void apply_outOfRangeInfiniteAndNan_clampOrMapToZeroPoint() {
        assertArrayEquals(new byte[] {127, -128, 127, -128, 7}, quantize(0.1f, 7, 1e6f, -1e6f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN));
    }

    @Test
    void apply_zeroPoint_isAddedAfterRounding() {
        assertArrayEquals(new byte[] {-10, -8, -12}, quantize(0.5f, -10, 0f, 1f, -1f));
    }

    @Test
    void roundHalfAwayFromZero_justBelowHalf_roundsDown() {
        assertEquals(0f, Quantize.roundHalfAwayFromZero(0.49999997f));
        assertEquals(-0f, Quantize.roundHalfAwayFromZero(-0.49999997f));
        assertEquals(8388609f, Quantize.roundHalfAwayFromZero(8388609f));
    }

    @Test
    void apply_randomTiesAndBoundaries_matchRoundThenClamp() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(31);
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) random.nextDouble(-400, 400) * 0.05f;
                case 1 -> (random.nextInt(-300, 300) + 0.5f) * 0.05f; // ties
                case 2 -> Math.nextDown((random.nextInt(-300, 300) + 0.5f) * 0.05f);
                default -> (float) random.nextDouble(-12.9, 12.9); // around ±256 steps of 0.05
            };
        }
        for (int zeroPoint : new int[] {-128, -3, 0, 100, 127}) {
            byte[] expected = new byte[x.length];
            for (int i = 0; i < x.length; i++) {
                float r = Quantize.roundHalfAwayFromZero(x[i] / 0.05f);
                long q = (long) r + zeroPoint;
                expected[i] = (byte) Math.min(127, Math.max(-128, q));
            }
            assertArrayEquals(expected, quantize(0.05f, zeroPoint, x), "zero point " + zeroPoint);
        }
    }
}
