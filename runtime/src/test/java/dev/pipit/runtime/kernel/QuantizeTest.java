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
}
