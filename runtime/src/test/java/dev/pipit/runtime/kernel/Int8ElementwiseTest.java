package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.ExactFixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Int8 RELU6 / CLIP, leaky RELU, ADD, CONCAT requantization and softmax against plain references. */
class Int8ElementwiseTest {

    private static int requantize(int v, double real) {
        FixedPointMultiplier m = ExactFixedPoint.quantize(real);
        return ExactFixedPoint.multiply(v, m.multiplier(), m.shift());
    }

    @Test
    void int8Clip_relu6_clampsAtZeroPointAndSix() {
        // scale 0.1, zp −20: 0.0 ↔ −20, 6.0 ↔ 40.
        byte[] x = {-128, -21, -20, 0, 40, 41, 127};
        new Int8Clip(Quantization.perTensor(0.1f, -20), Quantization.perTensor(0.1f, -20), new ActivationRange(0f, 6f))
                .apply(x, 0, x, 0, x.length);
        assertArrayEquals(new byte[] {-20, -20, -20, 0, 40, 40, 40}, x);
    }

    @Test
    void int8Clip_emptyRangeInOutputQuantization_throws() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Int8Clip(Quantization.perTensor(1f, 0),
                Quantization.perTensor(1f, 0), new ActivationRange(500f, 600f)));
        assertEquals("the clip range ActivationRange[min=500.0, max=600.0] is empty in the output quantization", e.getMessage());
    }

    @Test
    void int8LeakyRelu_random_matchesTfliteReference() {
        SplittableRandom random = new SplittableRandom(71);
        Quantization in = Quantization.perTensor(0.04f, 5), out = Quantization.perTensor(0.03f, -7);
        byte[] x = Int8Conv2dTest.int8(random, 500, -128);
        byte[] y = new byte[500];
        new Int8LeakyRelu(in, out, 0.2f).apply(x, 0, y, 0, 500);
        for (int i = 0; i < 500; i++) {
            int v = x[i] - 5;
            int r = -7 + (v >= 0 ? requantize(v, 0.04f / (double) 0.03f) : requantize(v, 0.2f * (double) 0.04f / 0.03f));
            assertEquals(Math.max(-128, Math.min(127, r)), y[i], "x = " + x[i]);
            float real = 0.04f * v;
            if (y[i] > -128 && y[i] < 127) { // unsaturated: within one output step (double rounding)
                assertEquals(real >= 0 ? real : 0.2f * real, 0.03f * (y[i] + 7), 0.03f * 1.01f, "x " + x[i] + " y " + y[i]);
            }
        }
    }

    /** TFLite's quantized Add from its definition, with exact arithmetic. */
    private static int tfliteAdd(int a, int b, Quantization qa, Quantization qb, Quantization qy, int min, int max) {
        double twiceMax = 2.0 * Math.max(qa.scale(), qb.scale());
        int sa = requantize((a - qa.zeroPoint()) * (1 << 20), qa.scale() / twiceMax);
        int sb = requantize((b - qb.zeroPoint()) * (1 << 20), qb.scale() / twiceMax);
        int v = requantize(sa + sb, twiceMax / ((1 << 20) * (double) qy.scale())) + qy.zeroPoint();
        return Math.max(min, Math.min(max, v));
    }

    @Test
    void int8Add_perChannelBroadcast_matchesTfliteReference() {
        SplittableRandom random = new SplittableRandom(72);
        Quantization qa = Quantization.perTensor(0.05f, -3), qb = Quantization.perTensor(0.02f, 10), qy = Quantization.perTensor(0.06f, 2);
        Broadcast broadcast = Broadcast.of(new int[] {3, 4, 5}, new int[] {3, 1, 1});
        byte[] a = Int8Conv2dTest.int8(random, 2 * 60, -128), b = Int8Conv2dTest.int8(random, 3, -128);
        byte[] y = new byte[120];
        ActivationRange relu = new ActivationRange(0f, Float.POSITIVE_INFINITY);
        new Int8Add(broadcast, qa, qb, qy, relu).run(a, 0, b, 0, 0, y, 0, 2);
        for (int i = 0; i < 120; i++) {
            int c = i % 60 / 20;
            assertEquals(tfliteAdd(a[i], b[c], qa, qb, qy, 2, 127), y[i], "element " + i);
        }
    }

    @Test
    void int8Add_sameShapeActivations_matchesRealSum() {
        SplittableRandom random = new SplittableRandom(73);
        Quantization q = Quantization.perTensor(0.1f, 0), qy = Quantization.perTensor(0.2f, 0);
        byte[] a = Int8Conv2dTest.int8(random, 64, -60), b = Int8Conv2dTest.int8(random, 64, -60);
        byte[] y = new byte[64];
        new Int8Add(Broadcast.of(new int[] {8, 8}, new int[] {8, 8}), q, q, qy, ActivationRange.NONE).run(a, 0, b, 0, 64, y, 0, 1);
        for (int i = 0; i < 64; i++) {
            assertEquals(tfliteAdd(a[i], b[i], q, q, qy, -128, 127), y[i]);
            if (Math.abs(a[i] + b[i]) < 250) {
                assertEquals(0.1 * (a[i] + b[i]), 0.2 * y[i], 0.2 * 1.01); // double rounding: within one step
            }
        }
    }

    @Test
    void concatInput_differentQuantization_requantizesIntoItsSlot() {
        // Two samples; each has outer 2 runs of 3 values, placed at offset 1 of output runs of 5.
        byte[] x = {10, 20, -30, 0, 1, -1, 5, 6, 7, 8, 9, 100};
        byte[] y = new byte[2 * 2 * 5];
        Quantization in = Quantization.perTensor(0.5f, 0), out = Quantization.perTensor(0.25f, 3);
        new ConcatInput(2, 3, 5, 1, in, out).run(x, 0, y, 0, 2);
        for (int o = 0; o < 4; o++) {
            for (int i = 0; i < 3; i++) {
                int expected = Math.max(-128, Math.min(127, 3 + requantize(x[o * 3 + i], 2.0)));
                assertEquals(expected, y[o * 5 + 1 + i]);
            }
            assertEquals(0, y[o * 5]);
            assertEquals(0, y[o * 5 + 4]);
        }
        byte[] same = new byte[10];
        new ConcatInput(1, 3, 5, 2, out, out).run(new byte[] {1, 2, 3, 4, 5, 6}, 0, same, 0, 2);
        assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 0, 0, 4, 5, 6}, same);
    }

    @Test
    void int8Softmax_random_matchesDoubleSoftmaxRounded() {
        SplittableRandom random = new SplittableRandom(74);
        Quantization in = Quantization.perTensor(0.07f, -4);
        byte[] x = Int8Conv2dTest.int8(random, 3 * 10, -128);
        byte[] y = x.clone();
        new Int8Softmax(in).apply(y, 0, y, 0, 3, 10); // in place
        for (int r = 0; r < 3; r++) {
            double sum = 0;
            for (int k = 0; k < 10; k++) {
                sum += Math.exp(0.07f * (double) (x[r * 10 + k] + 4));
            }
            for (int k = 0; k < 10; k++) {
                double p = Math.exp(0.07f * (double) (x[r * 10 + k] + 4)) / sum;
                assertEquals(Math.min(127, Math.round(p * 256) - 128), y[r * 10 + k], 1e-9, "row " + r + " col " + k);
            }
        }
    }

    @Test
    void broadcast_shapes_mergeIntoRuns() {
        assertEquals(new Broadcast(new int[] {3, 20}, new int[] {1, 0}), Broadcast.of(new int[] {3, 4, 5}, new int[] {3, 1, 1}));
        assertEquals(new Broadcast(new int[] {60}, new int[] {1}), Broadcast.of(new int[] {3, 4, 5}, new int[] {3, 4, 5}));
        assertEquals(new Broadcast(new int[] {60}, new int[] {0}), Broadcast.of(new int[] {3, 4, 5}, new int[] {1}));
        assertEquals(new Broadcast(new int[] {12, 5}, new int[] {0, 1}), Broadcast.of(new int[] {3, 4, 5}, new int[] {5}));
        assertEquals(new Broadcast(new int[] {3, 4, 5}, new int[] {5, 0, 1}), Broadcast.of(new int[] {3, 4, 5}, new int[] {3, 1, 5}));
        var e = assertThrows(IllegalArgumentException.class, () -> Broadcast.of(new int[] {3, 4}, new int[] {2, 4}));
        assertEquals("operand shape [2, 4] does not broadcast to [3, 4]", e.getMessage());
    }

    @Test
    void add_fp32Broadcasts_matchNaive() {
        SplittableRandom random = new SplittableRandom(75);
        int[][] shapes = {{3, 1, 5}, {5}, {1}, {3, 4, 5}, {4, 1}};
        for (int[] bShape : shapes) {
            Broadcast broadcast = Broadcast.of(new int[] {3, 4, 5}, bShape);
            float[] a = FloatConv2dTest.floats(random, 2 * 60), b = FloatConv2dTest.floats(random, 2 * broadcast.bSize());
            float[] y = new float[120];
            new Add(broadcast, ActivationRange.NONE).run(a, 0, b, 0, broadcast.bSize(), y, 0, 2);
            int[] padded = {1, 1, 1};
            System.arraycopy(bShape, 0, padded, 3 - bShape.length, bShape.length);
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 4; j++) {
                        for (int k = 0; k < 5; k++) {
                            int bi = ((padded[0] == 1 ? 0 : i) * padded[1] + (padded[1] == 1 ? 0 : j)) * padded[2] + (padded[2] == 1 ? 0 : k);
                            int ai = n * 60 + (i * 4 + j) * 5 + k;
                            assertEquals(a[ai] + b[n * broadcast.bSize() + bi], y[ai], java.util.Arrays.toString(bShape));
                        }
                    }
                }
            }
        }
    }
}
