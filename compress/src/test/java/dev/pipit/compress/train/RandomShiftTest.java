package dev.pipit.compress.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomShiftTest {

    private static final int[] SHAPE = {1, 28, 28};

    @Test
    void apply_sameSeed_sameImages() {
        float[] a = real(64);
        float[] b = a.clone();
        new RandomShift(2).apply(a, 64, SHAPE, new Random(9));
        new RandomShift(2).apply(b, 64, SHAPE, new Random(9));
        assertArrayEquals(a, b);
        float[] c = real(64);
        new RandomShift(2).apply(c, 64, SHAPE, new Random(10));
        assertFalse(Arrays.equals(a, c), "another seed moves the images otherwise");
    }

    @Test
    void apply_onePixel_movesItAtMostMaxShiftAndCoversEveryOffset() {
        Set<Integer> offsets = new HashSet<>();
        Random random = new Random(1);
        for (int trial = 0; trial < 400; trial++) {
            float[] image = new float[784];
            image[14 * 28 + 14] = 1f;
            new RandomShift(2).apply(image, 1, SHAPE, random);
            int at = -1;
            for (int p = 0; p < image.length; p++) {
                if (image[p] != 0) {
                    assertEquals(-1, at, "one pixel stays one pixel");
                    at = p;
                }
            }
            int dy = at / 28 - 14;
            int dx = at % 28 - 14;
            assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, "moved by " + dy + ", " + dx);
            offsets.add(dy * 5 + dx);
        }
        assertEquals(25, offsets.size(), "every move in [-2, 2]² is drawn");
    }

    @Test
    void apply_edgePixel_fallsOffInsteadOfWrapping() {
        float[] image = new float[784];
        Arrays.fill(image, 27 * 28, 784, 1f); // the bottom row
        float[] moved = image.clone();
        Random random = new Random(3);
        do {
            moved = image.clone();
            new RandomShift(1).apply(moved, 1, SHAPE, random);
        } while (moved[26 * 28 + 5] == 0 || moved[27 * 28 + 5] != 0); // until it moves up
        assertEquals(0f, moved[0], "nothing wraps to the top");
        assertTrue(sum(moved) <= 28, "no mass is created");
    }

    @Test
    void new_zeroShift_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new RandomShift(0));
    }

    @Test
    void apply_shiftAsWideAsTheImage_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new RandomShift(28).apply(new float[784], 1, SHAPE, new Random(1)));
    }

    private static float[] real(int n) {
        float[] out = new float[n * 784];
        TestData.train().copyImages(0, n, out, 0);
        return out;
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
