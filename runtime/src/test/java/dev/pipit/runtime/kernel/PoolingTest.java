package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Quantization;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PoolingTest {

    @Test
    void maxPool_paddedWindows_ignorePadding() {
        // 1 × 1 × 2 × 3, kernel 2x2, stride 1, pad 1 on every side: windows partly outside.
        float[] x = {-5, -6, -7, -8, -9, -1};
        float[] y = new float[3 * 4];
        new MaxPool2d(new ScalarKernels(), Window2d.of(2, 3, 2, 2, 1, 1, 1, 1, 1, 1), 1).run(x, 0, y, 0, 1);
        assertArrayEquals(new float[] {-5, -5, -6, -7, -5, -5, -1, -1, -8, -8, -1, -1}, y);
        byte[] q = {-5, -6, -7, -8, -9, -1};
        byte[] qy = new byte[12];
        new MaxPool2d(new ScalarKernels(), Window2d.of(2, 3, 2, 2, 1, 1, 1, 1, 1, 1), 1).run(q, 0, qy, 0, 1);
        assertArrayEquals(new byte[] {-5, -5, -6, -7, -5, -5, -1, -1, -8, -8, -1, -1}, qy);
    }

    /**
     * Odd sizes drop the last row and column; widths up to 131 take several vector blocks per row, and the
     * input array ends with the last plane, so the last rows' blocks run the scalar fallback.
     */
    @ParameterizedTest
    @MethodSource("dev.pipit.runtime.kernel.Int8Conv2dTest#implementations")
    void maxPool_twoByTwoStrideTwoOddSizes_matchesNaiveMaximum(VectorKernels kernels) {
        for (int[] size : new int[][] {{7, 9}, {5, 40}, {4, 131}, {3, 2}}) {
            maxPoolTwoByTwo(kernels, size[0], size[1]);
        }
    }

    private static void maxPoolTwoByTwo(VectorKernels kernels, int h, int w) {
        SplittableRandom random = new SplittableRandom(61 + w);
        int batch = 2, channels = 3, oh = h / 2, ow = w / 2;
        byte[] q = new byte[batch * channels * h * w];
        float[] x = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) random.nextInt(-128, 128);
            x[i] = (float) random.nextDouble(-1, 1);
        }
        byte[] qy = new byte[2 + batch * channels * oh * ow];
        float[] y = new float[2 + qy.length];
        MaxPool2d pool = new MaxPool2d(kernels, Window2d.of(h, w, 2, 2, 2, 2, 0, 0, 0, 0), channels);
        pool.run(q, 0, qy, 2, batch);
        pool.run(x, 0, y, 2, batch);
        for (int plane = 0; plane < batch * channels; plane++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int i = plane * h * w + 2 * oy * w + 2 * ox, o = 2 + (plane * oh + oy) * ow + ox;
                    assertEquals(Math.max(Math.max(q[i], q[i + 1]), Math.max(q[i + w], q[i + w + 1])), qy[o],
                            kernels.name() + " " + h + "×" + w + " plane " + plane + " (" + oy + ", " + ox + ")");
                    assertEquals(Math.max(Math.max(x[i], x[i + 1]), Math.max(x[i + w], x[i + w + 1])), y[o]);
                }
            }
        }
    }

    @Test
    void averagePool_int8_roundsHalfAwayFromZeroOverInsideElements() {
        // Windows of 2 (padding excluded): (1+2)/2 = 1.5 → 2, (−1−2)/2 = −1.5 → −2, (3+4)/2 = 3.5 → 4, 5 alone.
        byte[] x = {1, 2, -1, -2, 3, 4, 5};
        byte[] y = new byte[4];
        new AveragePool2d(Window2d.of(1, 7, 1, 2, 1, 2, 0, 0, 0, 1), 1).run(x, 0, y, 0, 1);
        assertArrayEquals(new byte[] {2, -2, 4, 5}, y);
        float[] fy = new float[4];
        new AveragePool2d(Window2d.of(1, 7, 1, 2, 1, 2, 0, 0, 0, 1), 1).run(new float[] {1, 2, -1, -2, 3, 4, 5}, 0, fy, 0, 1);
        assertArrayEquals(new float[] {1.5f, -1.5f, 3.5f, 5f}, fy);
    }

    @Test
    void averagePool_randomInt8_matchesExactDivision() {
        SplittableRandom random = new SplittableRandom(61);
        Window2d window = Window2d.of(9, 8, 3, 3, 2, 2, 1, 1, 1, 1);
        byte[] x = Int8Conv2dTest.int8(random, 2 * 3 * 72, -128);
        byte[] y = new byte[2 * 3 * window.outH() * window.outW()];
        new AveragePool2d(window, 3).run(x, 0, y, 0, 2);
        for (int p = 0; p < 6; p++) {
            for (int oy = 0; oy < window.outH(); oy++) {
                for (int ox = 0; ox < window.outW(); ox++) {
                    long sum = 0, count = 0;
                    for (int iy = oy * 2 - 1; iy < oy * 2 + 2; iy++) {
                        for (int ix = ox * 2 - 1; ix < ox * 2 + 2; ix++) {
                            if (iy >= 0 && iy < 9 && ix >= 0 && ix < 8) {
                                sum += x[p * 72 + iy * 8 + ix];
                                count++;
                            }
                        }
                    }
                    int expected = BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(count), 0, RoundingMode.HALF_UP).intValueExact();
                    assertEquals(expected, y[(p * window.outH() + oy) * window.outW() + ox]);
                }
            }
        }
    }

    @Test
    void globalAveragePool_int8_requantizesTheSumOnce() {
        SplittableRandom random = new SplittableRandom(62);
        Quantization in = Quantization.perTensor(0.05f, 7), out = Quantization.perTensor(0.02f, -3);
        byte[] x = Int8Conv2dTest.int8(random, 2 * 4 * 30, -128);
        byte[] y = new byte[8];
        new GlobalAveragePool(4, 30, in, out).run(x, 0, y, 0, 2);
        var m = dev.pipit.runtime.quant.ExactFixedPoint.quantize(0.05f / (0.02 * 30));
        for (int p = 0; p < 8; p++) {
            int sum = 0;
            for (int i = 0; i < 30; i++) {
                sum += x[p * 30 + i] - 7;
            }
            int expected = Math.max(-128, Math.min(127, dev.pipit.runtime.quant.ExactFixedPoint.multiply(sum, m.multiplier(), m.shift()) - 3));
            assertEquals(expected, y[p], "plane " + p);
            if (y[p] > -128 && y[p] < 127) { // unsaturated: the real mean within one output step (double rounding)
                assertEquals(0.05 * sum / 30, 0.02 * (y[p] + 3), 0.02 * 1.01);
            }
        }
        float[] fy = new float[2];
        new GlobalAveragePool(2, 2).run(new float[] {1, 2, 3, 5}, 0, fy, 0, 1);
        assertArrayEquals(new float[] {1.5f, 4f}, fy);
    }
}
