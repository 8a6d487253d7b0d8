package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FloatConv2dTest {

    static Stream<VectorKernels> implementations() {
        return Stream.of(new ScalarKernels(), new PanamaKernels());
    }

    /** Direct convolution in double. */
    static double[] naive(float[] x, int batch, NaiveInt8Conv2d.Shape s, float[] w, float[] bias, ActivationRange activation) {
        int groupIn = s.channels() / s.group(), groupOut = s.out() / s.group(), oh = s.outH(), ow = s.outW();
        double[] y = new double[batch * s.out() * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < s.out(); oc++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = bias[oc];
                        for (int ic = 0; ic < groupIn; ic++) {
                            for (int ky = 0; ky < s.kh(); ky++) {
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = oy * s.sh() - s.pads()[0] + ky * s.dh(), ix = ox * s.sw() - s.pads()[1] + kx * s.dw();
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        acc += (double) w[((oc * groupIn + ic) * s.kh() + ky) * s.kw() + kx]
                                                * x[((n * s.channels() + oc / groupOut * groupIn + ic) * s.h() + iy) * s.w() + ix];
                                    }
                                }
                            }
                        }
                        y[((n * s.out() + oc) * oh + oy) * ow + ox] = Math.min(activation.max(), Math.max(activation.min(), acc));
                    }
                }
            }
        }
        return y;
    }

    static float[] floats(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        return a;
    }

    private static float[] run(VectorKernels kernels, NaiveInt8Conv2d.Shape s, float[] w, float[] bias, float[] x, int batch,
                               ActivationRange activation, int split) {
        FloatConv2d conv = new FloatConv2d(kernels, w, s.out(), bias, s.channels(), s.group(), s.window(), activation);
        float[] y = new float[batch * s.out() * s.outH() * s.outW()];
        float[] scratch = new float[2 * conv.scratchFloats()];
        conv.run(x, 0, y, 0, batch, 0, split, scratch, 0);
        conv.run(x, 0, y, 0, batch, split, s.out(), scratch, conv.scratchFloats());
        return y;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void run_randomGeometries_matchNaiveWithinTolerance(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(51);
        for (int trial = 0; trial < 300; trial++) {
            NaiveInt8Conv2d.Shape s = Int8Conv2dTest.randomShape(random);
            int batch = random.nextInt(1, 3);
            float[] w = floats(random, s.out() * s.channels() / s.group() * s.kh() * s.kw());
            float[] bias = floats(random, s.out()), x = floats(random, batch * s.channels() * s.h() * s.w());
            ActivationRange activation = random.nextBoolean() ? ActivationRange.NONE : new ActivationRange(0f, 6f);
            double[] expected = naive(x, batch, s, w, bias, activation);
            float[] y = run(kernels, s, w, bias, x, batch, activation, random.nextInt(0, s.out() + 1));
            for (int i = 0; i < y.length; i++) {
                assertEquals(expected[i], y[i], 1e-5, kernels.name() + " trial " + trial + " " + s);
            }
        }
    }

    @Test
    void run_panamaAndScalar_agreeWithinTolerance() {
        SplittableRandom random = new SplittableRandom(52);
        NaiveInt8Conv2d.Shape s = new NaiveInt8Conv2d.Shape(16, 12, 12, 24, 1, 3, 3, 1, 1, new int[] {1, 1, 1, 1}, 1, 1);
        float[] w = floats(random, 24 * 16 * 9), bias = floats(random, 24), x = floats(random, 2 * 16 * 144);
        float[] scalar = run(new ScalarKernels(), s, w, bias, x, 2, ActivationRange.NONE, 24);
        float[] panama = run(new PanamaKernels(), s, w, bias, x, 2, ActivationRange.NONE, 8);
        for (int i = 0; i < scalar.length; i++) {
            assertEquals(scalar[i], panama[i], 1e-5f * 144);
        }
    }
}
