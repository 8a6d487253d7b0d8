package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Quantization;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DynamicFullyConnectedTest {

    static Stream<VectorKernels> implementations() {
        return Stream.of(new ScalarKernels(), new PanamaKernels());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void run_randomLayers_matchQuantizedReferenceAndApproximateFp32(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(81);
        for (int trial = 0; trial < 100; trial++) {
            int in = random.nextInt(1, 200), out = random.nextInt(1, 20), batch = random.nextInt(1, 4);
            byte[] w = Int8Conv2dTest.int8(random, out * in, -127);
            float[] scales = new float[out];
            for (int c = 0; c < out; c++) {
                scales[c] = (float) random.nextDouble(0.001, 0.01);
            }
            float[] bias = FloatConv2dTest.floats(random, out);
            float[] x = FloatConv2dTest.floats(random, batch * in);
            if (trial == 0) {
                java.util.Arrays.fill(x, 0, in, 0f); // an all-zero sample
            }
            float shift = (float) random.nextDouble(-0.5, 0.5); // asymmetric ranges
            for (int i = 0; i < x.length; i++) {
                x[i] = trial == 0 && i < in ? 0f : x[i] + shift;
            }
            DynamicFullyConnected fc = new DynamicFullyConnected(kernels, new DenseInt8Matrix(w, out, in),
                    Quantization.perChannel(scales, 0), bias, ActivationRange.NONE, batch);
            byte[] q = new byte[batch * in];
            float[] y = new float[batch * out];
            fc.quantize(x, 0, batch, q, 0);
            int split = random.nextInt(0, out + 1);
            int[] acc = new int[batch * out];
            fc.run(q, 0, y, 0, batch, 0, split, acc);
            fc.run(q, 0, y, 0, batch, split, out, acc);
            for (int b = 0; b < batch; b++) {
                float min = 0, max = 0;
                for (int k = 0; k < in; k++) {
                    min = Math.min(min, x[b * in + k]);
                    max = Math.max(max, x[b * in + k]);
                }
                double scale = max > min ? ((double) max - min) / 255 : 1;
                int zp = max > min ? (int) Math.max(-128, Math.min(127, Math.round(-128 - min / scale))) : 0;
                for (int c = 0; c < out; c++) {
                    long acc64 = 0;
                    double exact = bias[c];
                    for (int k = 0; k < in; k++) {
                        float r = Quantize.roundHalfAwayFromZero(zp + x[b * in + k] * (1f / (float) scale));
                        int qk = (int) Math.max(-128, Math.min(127, r));
                        assertEquals(qk, q[b * in + k]);
                        acc64 += (long) w[c * in + k] * (qk - zp);
                        exact += (double) w[c * in + k] * scales[c] * x[b * in + k];
                    }
                    float expected = (int) acc64 * ((float) scale * scales[c]) + bias[c];
                    assertEquals(expected, y[b * out + c], 1e-6f * (1 + Math.abs(expected)), kernels.name() + " trial " + trial);
                    // within the quantization error: half an input step per product
                    assertEquals(exact, y[b * out + c], 0.5 * scale * 127 * scales[c] * in + 1e-4);
                }
            }
        }
    }
}
