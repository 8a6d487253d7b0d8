package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Quantization;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Int8Conv2dTest {

    static Stream<VectorKernels> implementations() {
        return Stream.of(new ScalarKernels(), new PanamaKernels());
    }

    /** A random valid geometry: plain, grouped or depthwise; strides, pads and dilations within bounds. */
    static NaiveInt8Conv2d.Shape randomShape(SplittableRandom random) {
        while (true) {
            int channels = random.nextInt(1, 7);
            int group = switch (random.nextInt(3)) {
                case 0 -> 1;
                case 1 -> channels;              // depthwise
                default -> channels % 2 == 0 ? 2 : 1;
            };
            int out = group * random.nextInt(1, 4) * (random.nextBoolean() ? 1 : 3);
            int kh = random.nextInt(1, 4), kw = random.nextInt(1, 4), dh = random.nextInt(1, 3), dw = random.nextInt(1, 3);
            int[] pads = {random.nextInt(0, dh * (kh - 1) + 1), random.nextInt(0, dw * (kw - 1) + 1),
                    random.nextInt(0, dh * (kh - 1) + 1), random.nextInt(0, dw * (kw - 1) + 1)};
            NaiveInt8Conv2d.Shape s = new NaiveInt8Conv2d.Shape(channels, random.nextInt(1, 10), random.nextInt(1, 10), out, group,
                    kh, kw, random.nextInt(1, 3), random.nextInt(1, 3), pads, dh, dw);
            if (s.h() + pads[0] + pads[2] >= dh * (kh - 1) + 1 && s.w() + pads[1] + pads[3] >= dw * (kw - 1) + 1) {
                return s;
            }
        }
    }

    static byte[] int8(SplittableRandom random, int n, int min) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) random.nextInt(min, 128);
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void run_randomGeometries_matchNaiveReferenceBitExact(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(41);
        for (int trial = 0; trial < 300; trial++) {
            NaiveInt8Conv2d.Shape s = randomShape(random);
            int k = s.channels() / s.group() * s.kh() * s.kw();
            int batch = random.nextInt(1, 6); // small planes: a tile spans several samples
            byte[] w = int8(random, s.out() * k, -127);
            byte[] x = int8(random, batch * s.channels() * s.h() * s.w(), -128);
            float[] weightScales = new float[s.out()];
            int[] bias = random.ints(s.out(), -3000, 3000).toArray();
            for (int c = 0; c < s.out(); c++) {
                weightScales[c] = (float) random.nextDouble(0.002, 0.02);
            }
            float inScale = (float) random.nextDouble(0.01, 0.05), outScale = (float) random.nextDouble(0.02, 0.3);
            int inZp = random.nextInt(-30, 30), outZp = random.nextInt(-30, 30);
            ActivationRange activation = switch (random.nextInt(4)) {
                case 0 -> ActivationRange.NONE;
                case 1 -> new ActivationRange(0f, Float.POSITIVE_INFINITY);
                case 2 -> new ActivationRange(0f, 6f);
                default -> new ActivationRange(-1.5f, 2f);
            };
            Quantization outQ = Quantization.perTensor(outScale, outZp);
            byte[] expected = NaiveInt8Conv2d.run(x, batch, s, w, weightScales, bias, inScale, inZp, outScale, outZp,
                    activation.int8Min(outQ), activation.int8Max(outQ));

            for (Int8Matrix weights : new Int8Matrix[] {new DenseInt8Matrix(w, s.out(), k), Int8MatrixTest.palette(w, s.out(), k, 8, true)}) {
                Int8Conv2d conv = new Int8Conv2d(kernels, weights, Quantization.perChannel(weightScales, 0), bias, s.channels(),
                        s.group(), s.window(), Quantization.perTensor(inScale, inZp), outQ, activation);
                byte[] y = new byte[3 + expected.length];
                int[] acc = new int[conv.accumulators()];
                byte[] scratch = new byte[2 * conv.scratchBytes() + 1];
                int split = random.nextInt(0, s.out() + 1); // two parts, each with its own scratch, sharing acc
                conv.run(x, 0, y, 3, batch, 0, split, acc, scratch, 1);
                conv.run(x, 0, y, 3, batch, split, s.out(), acc, scratch, 1 + conv.scratchBytes());
                assertArrayEquals(expected, Arrays.copyOfRange(y, 3, y.length),
                        kernels.name() + " " + weights.getClass().getSimpleName() + " trial " + trial + " " + s);
            }
        }
    }

    /**
     * Stride-1 layers at batches up to 33: the direct path's tiles run over the samples back to back, across
     * sample boundaries, with padded inputs held for several samples at once.
     */
    @ParameterizedTest
    @MethodSource("implementations")
    void run_directPathBatches_matchNaiveReferenceBitExact(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(43);
        for (int trial = 0; trial < 60; trial++) {
            int channels = random.nextInt(1, 5), out = random.nextInt(1, 6), kh = random.nextInt(1, 4), kw = random.nextInt(1, 4);
            int padH = random.nextInt(0, kh), padW = random.nextInt(0, kw);
            int h = random.nextInt(Math.max(1, kh - 2 * padH), 14), w = random.nextInt(Math.max(1, kw - 2 * padW), 14);
            NaiveInt8Conv2d.Shape s = new NaiveInt8Conv2d.Shape(channels, h, w, out, 1, kh, kw, 1, 1,
                    new int[] {padH, padW, padH, padW}, 1, 1);
            int k = channels * kh * kw, batch = random.nextInt(1, 34);
            byte[] weights = int8(random, out * k, -127), x = int8(random, batch * channels * h * w, -128);
            float[] weightScales = new float[out];
            Arrays.fill(weightScales, 0.004f);
            int[] bias = random.ints(out, -2000, 2000).toArray();
            Quantization in = Quantization.perTensor(0.02f, random.nextInt(-20, 20)), outQ = Quantization.perTensor(0.05f, -5);
            byte[] expected = NaiveInt8Conv2d.run(x, batch, s, weights, weightScales, bias, in.scale(), in.zeroPoint(), outQ.scale(),
                    outQ.zeroPoint(), -128, 127);
            Int8Conv2d conv = new Int8Conv2d(kernels, new DenseInt8Matrix(weights, out, k), Quantization.perChannel(weightScales, 0), bias,
                    channels, 1, s.window(), in, outQ, ActivationRange.NONE);
            byte[] y = new byte[expected.length + 2];
            conv.run(x, 0, y, 1, batch, 0, out, new int[conv.accumulators()], new byte[conv.scratchBytes() + 3], 3);
            assertArrayEquals(expected, Arrays.copyOfRange(y, 1, y.length - 1), kernels.name() + " trial " + trial + " batch " + batch + " " + s);
            assertEquals(0, y[0] | y[y.length - 1], "bytes outside the output");
        }
    }

    @Test
    void run_compressedWeights_equalDenseBitExactly() {
        SplittableRandom random = new SplittableRandom(42);
        VectorKernels kernels = new PanamaKernels();
        NaiveInt8Conv2d.Shape s = new NaiveInt8Conv2d.Shape(8, 7, 7, 16, 1, 3, 3, 1, 1, new int[] {1, 1, 1, 1}, 1, 1);
        int k = 8 * 9;
        byte[] w = Int8MatrixTest.weights(random, 16, k, 7, false, 0.7);
        byte[] x = int8(random, 2 * 8 * 49, -128);
        Quantization wq = Quantization.perTensor(0.01f, 0), in = Quantization.perTensor(0.03f, 4), out = Quantization.perTensor(0.1f, -3);
        byte[] expected = null;
        for (Int8Matrix weights : new Int8Matrix[] {new DenseInt8Matrix(w, 16, k), Int8MatrixTest.csr(w, 16, k),
                Int8MatrixTest.palette(w, 16, k, 4, false), Int8MatrixTest.palette(w, 16, k, 8, true)}) {
            Int8Conv2d conv = new Int8Conv2d(kernels, weights, wq, null, 8, 1, s.window(), in, out, ActivationRange.NONE);
            byte[] y = new byte[2 * 16 * 49];
            conv.run(x, 0, y, 0, 2, 0, 16, new int[conv.accumulators()], new byte[conv.scratchBytes()], 0);
            if (expected == null) {
                expected = y;
            }
            assertArrayEquals(expected, y, weights.getClass().getSimpleName());
        }
    }

    @Test
    void scratch_denseWeights_tapTilePaddedInputAndOutputTile() {
        Window2d window = Window2d.of(5, 5, 3, 3, 1, 1, 1, 1, 1, 1);
        Quantization q = Quantization.perTensor(0.1f, 0);
        Int8Conv2d depthwise = new Int8Conv2d(new ScalarKernels(), new DenseInt8Matrix(new byte[4 * 9], 4, 9), q, null, 4, 4,
                window, q, q, ActivationRange.NONE);
        // taps of one 64-pixel block (a 33-pixel span at pitch 7 rounds up), the padded 7 × 7 input of the 3
        // samples a block can touch, the output block
        assertEquals(9 * VectorKernels.PIXEL_BLOCK + 3 * 49 + VectorKernels.PIXEL_BLOCK, depthwise.scratchBytes());
        assertEquals(4 * 9 + 4 * 4, depthwise.weightBytes());
        Int8Conv2d plain = new Int8Conv2d(new ScalarKernels(), new DenseInt8Matrix(new byte[4 * 36], 4, 36), q, null, 4, 1,
                window, q, q, ActivationRange.NONE);
        assertEquals(36 * VectorKernels.PIXEL_BLOCK + 3 * 4 * 49 + 4 * VectorKernels.PIXEL_BLOCK, plain.scratchBytes());
        assertEquals(4 * VectorKernels.PIXEL_BLOCK, plain.accumulators());
    }
}
