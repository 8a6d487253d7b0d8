package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.runtime.graph.Quantization;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both implementations, constructed directly, against naive loops and against each other. */
class VectorKernelsTest {

    private static final VectorKernels SCALAR = new ScalarKernels();
    private static final VectorKernels PANAMA = new PanamaKernels();
    /** Widths around every multiple of the vector step (up to 64 bytes), plus layer-sized ones. */
    private static final int[] COLS = IntStream.concat(IntStream.rangeClosed(1, 70),
            IntStream.of(127, 128, 129, 255, 256, 257, 784, 1000)).toArray();
    private static final int[] ROWS = {1, 2, 3, 4, 5, 7, 8, 9, 13};

    static Stream<VectorKernels> implementations() {
        return Stream.of(SCALAR, PANAMA);
    }

    private static byte[] int8(SplittableRandom random, int n, int min) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) random.nextInt(min, 128);
        }
        return a;
    }

    private static float[] floats(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        return a;
    }

    private static int naiveDot(byte[] a, int aOff, byte[] b, int bOff, int n) {
        long sum = 0;
        for (int k = 0; k < n; k++) {
            sum += (long) a[aOff + k] * b[bOff + k];
        }
        return Math.toIntExact(sum);
    }

    private static double naiveDot(float[] a, int aOff, float[] b, int bOff, int n) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += (double) a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemvInt8_randomSizesAndRowRanges_matchesNaive(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(7);
        for (int cols : COLS) {
            for (int rows : ROWS) {
                byte[] w = int8(random, rows * cols, -127);
                byte[] x = int8(random, cols + 3, -128);
                int from = random.nextInt(0, rows), to = random.nextInt(from, rows + 1);
                int[] out = new int[rows + 2];
                kernels.gemvInt8(w, cols, from, to, x, 3, out, 2);
                for (int r = 0; r < rows; r++) {
                    int expected = r >= from && r < to ? naiveDot(w, r * cols, x, 3, cols) : 0;
                    assertEquals(expected, out[2 + r], kernels.name() + " row " + r + " of " + rows + "x" + cols);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void dotInt8_extremeValues_matchesNaive(VectorKernels kernels) {
        for (int n : COLS) {
            byte[] w = new byte[n], x = new byte[n];
            Arrays.fill(w, (byte) -127);
            Arrays.fill(x, (byte) -128);
            assertEquals(127 * 128 * n, kernels.dotInt8(w, 0, x, 0, n), kernels.name() + " n " + n);
            Arrays.fill(w, (byte) 127);
            assertEquals(-127 * 128 * n, kernels.dotInt8(w, 0, x, 0, n), kernels.name() + " n " + n);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemvFloat_randomSizes_matchesNaiveWithinTolerance(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(8);
        for (int cols : COLS) {
            for (int rows : ROWS) {
                float[] w = floats(random, rows * cols), x = floats(random, cols + 1);
                float[] out = new float[rows];
                kernels.gemvFloat(w, cols, 0, rows, x, 1, out, 0);
                for (int r = 0; r < rows; r++) {
                    assertEquals(naiveDot(w, r * cols, x, 1, cols), out[r], 1e-5 * cols, kernels.name() + " " + rows + "x" + cols);
                }
                assertEquals(naiveDot(w, 0, x, 1, cols), kernels.dotFloat(w, 0, x, 1, cols), 1e-5 * cols);
            }
        }
    }

    @Test
    void gemvInt8_panamaAndScalar_giveIdenticalResults() {
        SplittableRandom random = new SplittableRandom(9);
        for (int trial = 0; trial < 300; trial++) {
            int rows = random.nextInt(1, 40), cols = random.nextInt(1, 600);
            byte[] w = int8(random, rows * cols, -127), x = int8(random, cols, -128);
            int[] scalar = new int[rows], panama = new int[rows];
            SCALAR.gemvInt8(w, cols, 0, rows, x, 0, scalar, 0);
            PANAMA.gemvInt8(w, cols, 0, rows, x, 0, panama, 0);
            assertArrayEquals(scalar, panama, rows + "x" + cols);
        }
    }

    @Test
    void gemvFloat_panamaAndScalar_agreeWithinTolerance() {
        SplittableRandom random = new SplittableRandom(10);
        for (int trial = 0; trial < 300; trial++) {
            int rows = random.nextInt(1, 40), cols = random.nextInt(1, 600);
            float[] w = floats(random, rows * cols), x = floats(random, cols);
            float[] scalar = new float[rows], panama = new float[rows];
            SCALAR.gemvFloat(w, cols, 0, rows, x, 0, scalar, 0);
            PANAMA.gemvFloat(w, cols, 0, rows, x, 0, panama, 0);
            for (int r = 0; r < rows; r++) {
                assertTrue(Math.abs(scalar[r] - panama[r]) <= 1e-5f * (1 + cols), rows + "x" + cols + " row " + r);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemmInt8_randomSizesStridesAndOffsets_matchesNaive(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(21);
        for (int trial = 0; trial < 400; trial++) {
            int rows = random.nextInt(1, 14), cols = random.nextInt(1, 300), samples = random.nextInt(1, 7);
            int wOff = random.nextInt(0, 5), xStride = cols + random.nextInt(0, 3), outStride = rows + random.nextInt(0, 3);
            byte[] w = int8(random, wOff + rows * cols, -127);
            byte[] x = int8(random, 2 + samples * xStride, -128);
            int from = random.nextInt(0, rows), to = random.nextInt(from, rows + 1);
            int[] out = new int[1 + samples * outStride];
            kernels.gemmInt8(w, wOff, cols, from, to, x, 2, xStride, samples, out, 1, outStride);
            for (int s = 0; s < samples; s++) {
                for (int r = 0; r < rows; r++) {
                    int expected = r >= from && r < to ? naiveDot(w, wOff + r * cols, x, 2 + s * xStride, cols) : 0;
                    assertEquals(expected, out[1 + s * outStride + r], kernels.name() + " trial " + trial + " s " + s + " r " + r);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemmFloat_randomSizesStridesAndOffsets_matchesNaiveWithinTolerance(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(22);
        for (int trial = 0; trial < 400; trial++) {
            int rows = random.nextInt(1, 14), cols = random.nextInt(1, 300), samples = random.nextInt(1, 7);
            int wOff = random.nextInt(0, 5), xStride = cols + random.nextInt(0, 3), outStride = rows + random.nextInt(0, 3);
            float[] w = floats(random, wOff + rows * cols), x = floats(random, 2 + samples * xStride);
            float[] out = new float[1 + samples * outStride];
            kernels.gemmFloat(w, wOff, cols, 0, rows, x, 2, xStride, samples, out, 1, outStride);
            for (int s = 0; s < samples; s++) {
                for (int r = 0; r < rows; r++) {
                    assertEquals(naiveDot(w, wOff + r * cols, x, 2 + s * xStride, cols), out[1 + s * outStride + r],
                            1e-5 * cols, kernels.name() + " trial " + trial);
                }
            }
        }
    }

    @Test
    void gemmInt8_panamaAndScalar_giveIdenticalResults() {
        SplittableRandom random = new SplittableRandom(23);
        for (int trial = 0; trial < 200; trial++) {
            int rows = random.nextInt(1, 40), cols = random.nextInt(1, 600), samples = random.nextInt(1, 9);
            byte[] w = int8(random, rows * cols, -127), x = int8(random, samples * cols, -128);
            int[] scalar = new int[samples * rows], panama = new int[samples * rows];
            SCALAR.gemmInt8(w, 0, cols, 0, rows, x, 0, cols, samples, scalar, 0, rows);
            PANAMA.gemmInt8(w, 0, cols, 0, rows, x, 0, cols, samples, panama, 0, rows);
            assertArrayEquals(scalar, panama, rows + "x" + cols + " × " + samples);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemmInt8Packed_randomSizesRowRangesAndSamples_matchesNaive(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(24);
        for (int trial = 0; trial < 300; trial++) {
            // partial row blocks and sample tiles; some trials span several column blocks (256) or sample chunks (32)
            int rows = random.nextInt(1, 50), cols = random.nextInt(1, trial % 3 == 0 ? 1100 : 300);
            int samples = random.nextInt(1, trial % 5 == 0 ? 70 : 14);
            int xStride = cols + random.nextInt(0, 3), outStride = rows + random.nextInt(0, 3);
            byte[] w = int8(random, rows * cols, -127), x = int8(random, 2 + samples * xStride, -128);
            byte[] packed = Int8Packing.pack(w, rows, cols);
            int from = random.nextInt(0, rows), to = random.nextInt(from, rows + 1);
            int[] out = new int[1 + samples * outStride], single = new int[1 + rows];
            kernels.gemmInt8Packed(packed, Int8Packing.quads(cols), cols, from, to, x, 2, xStride, samples, out, 1, outStride);
            kernels.gemvInt8Packed(packed, Int8Packing.quads(cols), cols, from, to, x, 2, single, 1);
            for (int s = 0; s < samples; s++) {
                for (int r = 0; r < rows; r++) {
                    int expected = r >= from && r < to ? naiveDot(w, r * cols, x, 2 + s * xStride, cols) : 0;
                    String where = kernels.name() + " trial " + trial + " " + rows + "x" + cols + " s " + s + " r " + r;
                    assertEquals(expected, out[1 + s * outStride + r], where);
                    if (s == 0) {
                        assertEquals(expected, single[1 + r], where + " (gemv)");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void gemmInt8Packed_extremeValues_doNotOverflowSixteenBits(VectorKernels kernels) {
        int rows = 21, cols = 787, samples = 6;
        byte[] w = new byte[rows * cols], x = new byte[samples * cols];
        Arrays.fill(w, (byte) -127);
        Arrays.fill(x, (byte) -128);
        int[] out = new int[samples * rows];
        kernels.gemmInt8Packed(Int8Packing.pack(w, rows, cols), Int8Packing.quads(cols), cols, 0, rows, x, 0, cols, samples,
                out, 0, rows);
        int[] expected = new int[samples * rows];
        Arrays.fill(expected, 127 * 128 * cols);
        assertArrayEquals(expected, out);
    }

    /** A random output stage over {@code rows} channels: biases over the whole int range half the time, shifts left and right. */
    private static Int8OutputStage randomStage(SplittableRandom random, byte[] w, int rows, int k) {
        float[] scales = new float[rows];
        for (int c = 0; c < rows; c++) {
            scales[c] = (float) Math.pow(10, random.nextDouble(-5, 2));
        }
        boolean wide = random.nextBoolean();
        int[] bias = IntStream.range(0, rows).map(c -> wide ? random.nextInt() : random.nextInt(-5000, 5000)).toArray();
        float lo = random.nextBoolean() ? 0f : -2f;
        return new Int8OutputStage(new DenseInt8Matrix(w, rows, k), Quantization.perChannel(scales, 0), bias,
                Quantization.perTensor((float) random.nextDouble(0.001, 0.1), random.nextInt(-128, 128)),
                Quantization.perTensor((float) random.nextDouble(0.01, 1), random.nextInt(-128, 128)),
                random.nextBoolean() ? ActivationRange.NONE : new ActivationRange(lo, 6f));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void convInt8_randomTapsChannelsAndPixels_requantizeAsStageApply(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(25);
        for (int trial = 0; trial < 300; trial++) {
            int k = random.nextInt(1, trial < 150 ? 20 : 300), channel0 = random.nextInt(0, 3), channels = random.nextInt(1, 8);
            int stride = VectorKernels.PIXEL_BLOCK * random.nextInt(1, 4), pixels = random.nextInt(1, stride + 1);
            int rows = channel0 + channels, yStride = pixels + random.nextInt(0, 3);
            byte[] w = int8(random, rows * k, -127), patch = int8(random, 5 + k * stride, -128);
            Int8OutputStage stage = randomStage(random, w, rows, k);
            int[] acc = new int[2 + rows * stride];
            byte[] y = new byte[1 + channels * yStride];
            Arrays.fill(y, (byte) 99);
            kernels.convInt8(w, channel0 * k, k, channels, patch, 5, stride, acc, 2);
            kernels.requantizeInt8(acc, 2, stride, channels, stage, channel0, pixels, y, 1, yStride);
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < yStride; p++) {
                    byte expected = p < pixels ? stage.apply(channel0 + c, naiveTaps(w, (channel0 + c) * k, k, patch, 5 + p, stride)) : 99;
                    assertEquals(expected, y[1 + c * yStride + p], kernels.name() + " trial " + trial + " k " + k + " c " + c + " p " + p);
                }
            }
        }
    }

    private static int naiveTaps(byte[] w, int wOff, int k, byte[] patch, int pOff, int stride) {
        long sum = 0;
        for (int t = 0; t < k; t++) {
            sum += (long) w[wOff + t] * patch[pOff + t * stride];
        }
        return Math.toIntExact(sum);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void convInt8_extremeValues_doNotOverflowSixteenBits(VectorKernels kernels) {
        int k = 301, channels = 3, stride = 2 * VectorKernels.PIXEL_BLOCK;
        byte[] w = new byte[channels * k], patch = new byte[k * stride];
        Arrays.fill(w, (byte) -127);
        Arrays.fill(patch, (byte) -128);
        Quantization unit = Quantization.perTensor(1f, 0);
        Int8OutputStage stage = new Int8OutputStage(new DenseInt8Matrix(w, channels, k), Quantization.perTensor(1f / (127 * 128 * k), 0),
                new int[] {0, -127 * 128 * k, -127 * 128 * k / 2}, unit, Quantization.perTensor(1f / 100, 0), ActivationRange.NONE);
        byte[] y = new byte[channels * stride];
        kernels.convInt8(w, 0, k, channels, patch, 0, stride, new int[channels * stride], 0);
        int[] acc = new int[channels * stride];
        kernels.convInt8(w, 0, k, channels, patch, 0, stride, acc, 0);
        kernels.requantizeInt8(acc, 0, stride, channels, stage, 0, stride, y, 0, stride);
        for (int p = 0; p < stride; p++) {
            assertEquals(100, y[p]);
            assertEquals(0, y[stride + p]);
            assertEquals(50, y[2 * stride + p]);
        }
    }

    @Test
    void convInt8_panamaAndScalar_giveIdenticalBytes() {
        SplittableRandom random = new SplittableRandom(26);
        for (int trial = 0; trial < 50; trial++) {
            int k = random.nextInt(1, 200), channels = random.nextInt(1, 40), stride = VectorKernels.PIXEL_BLOCK * random.nextInt(1, 5);
            byte[] w = int8(random, channels * k, -127), patch = int8(random, k * stride, -128);
            Int8OutputStage stage = randomStage(random, w, channels, k);
            byte[] scalar = new byte[channels * stride], panama = new byte[channels * stride];
            int[] acc = new int[channels * stride];
            SCALAR.convInt8(w, 0, k, channels, patch, 0, stride, acc, 0);
            SCALAR.requantizeInt8(acc, 0, stride, channels, stage, 0, stride, scalar, 0, stride);
            PANAMA.convInt8(w, 0, k, channels, patch, 0, stride, acc, 0);
            PANAMA.requantizeInt8(acc, 0, stride, channels, stage, 0, stride, panama, 0, stride);
            assertArrayEquals(scalar, panama, "trial " + trial);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void convFloat_randomTapsChannelsAndPixels_matchesNaiveWithinTolerance(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(27);
        for (int trial = 0; trial < 300; trial++) {
            int k = random.nextInt(1, trial < 150 ? 20 : 300), channel0 = random.nextInt(0, 3), channels = random.nextInt(1, 10);
            int stride = VectorKernels.PIXEL_BLOCK * random.nextInt(1, 4), pixels = random.nextInt(1, stride + 1);
            int yStride = pixels + random.nextInt(0, 3);
            float[] w = floats(random, (channel0 + channels) * k), patch = floats(random, 3 + k * stride);
            float[] bias = floats(random, channel0 + channels);
            float min = random.nextBoolean() ? Float.NEGATIVE_INFINITY : 0f, max = random.nextBoolean() ? Float.POSITIVE_INFINITY : 1f;
            float[] y = new float[2 + channels * yStride];
            Arrays.fill(y, 99f);
            kernels.convFloat(w, channel0 * k, k, channels, patch, 3, stride, bias, channel0, min, max, pixels, y, 2, yStride);
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < yStride; p++) {
                    double sum = bias[channel0 + c];
                    for (int t = 0; p < pixels && t < k; t++) {
                        sum += (double) w[(channel0 + c) * k + t] * patch[3 + t * stride + p];
                    }
                    double expected = p < pixels ? Math.min(max, Math.max(min, sum)) : 99;
                    assertEquals(expected, y[2 + c * yStride + p], 1e-4, kernels.name() + " trial " + trial + " c " + c + " p " + p);
                }
            }
        }
    }
}
