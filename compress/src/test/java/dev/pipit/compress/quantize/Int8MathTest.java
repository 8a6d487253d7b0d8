package dev.pipit.compress.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pipit.runtime.graph.Quantization;
import org.junit.jupiter.api.Test;

class Int8MathTest {

    @Test
    void activation_unitRange_mapsPixelsExactly() {
        Quantization q = Int8Math.activation(new Range(0f, 1f));
        assertEquals(1f / 255f, q.scale(), 1e-9f);
        assertEquals(-128, q.zeroPoint());
    }

    @Test
    void activation_asymmetricRange_representsZeroExactly() {
        Quantization q = Int8Math.activation(new Range(-3.1f, 9.7f));
        assertEquals(-128 + 62, q.zeroPoint()); // 3.1 / (12.8 / 255) = 61.76 steps below zero
        assertEquals(12.8f / 255f, q.scale(), 1e-6f);
        // -128 and 127 reach the ends of the range within a step
        assertEquals(-3.1f, (-128 - q.zeroPoint()) * q.scale(), q.scale());
        assertEquals(9.7f, (127 - q.zeroPoint()) * q.scale(), q.scale());
    }

    @Test
    void activation_allZero_stillValid() {
        Quantization q = Int8Math.activation(Range.of(new float[] {0f, 0f}));
        assertEquals(0, q.zeroPoint());
    }

    @Test
    void range_of_alwaysIncludesZero() {
        Range r = Range.of(new float[] {2f, 5f});
        assertEquals(0f, r.min());
        assertEquals(5f, r.max());
        assertThrows(IllegalArgumentException.class, () -> new Range(1f, 2f));
    }

    @Test
    void roundHalfAway_ties_roundAwayFromZero() {
        assertEquals(3, Int8Math.roundHalfAway(2.5));
        assertEquals(-3, Int8Math.roundHalfAway(-2.5));
        assertEquals(-2, Int8Math.roundHalfAway(-2.4));
    }

    @Test
    void quantizeWeight_extremes_clampToSymmetricRange() {
        assertEquals(127, Int8Math.quantizeWeight(1f, 1f / 127));
        assertEquals(-127, Int8Math.quantizeWeight(-1.01f, 1f / 127));
    }
}
