package dev.pipit.compress.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArgmaxRangeTest {

    @Test
    void of_threeSamples_spansTheirTwoLargestLogits() {
        float[] logits = {
            -30f, 9f, 2f, -1f,   // second largest 2
            4f, 4f, -50f, 0.5f,  // a tie: 4 is both the largest and the second
            12f, -3f, -20f, 1f,  // second largest 1, largest 12 (the range's top)
        };
        assertEquals(new Range(0f, 12f), ArgmaxRange.of(logits, 3, 4));
        float[] negative = {-8f, -5f, -2f, -40f};
        assertEquals(new Range(-5f, 0f), ArgmaxRange.of(negative, 1, 4), "0 stays representable");
    }

    @Test
    void of_logitsNotCountTimesClasses_throws() {
        assertThrows(IllegalArgumentException.class, () -> ArgmaxRange.of(new float[7], 2, 4));
        assertThrows(IllegalArgumentException.class, () -> ArgmaxRange.of(new float[3], 3, 1));
    }
}
