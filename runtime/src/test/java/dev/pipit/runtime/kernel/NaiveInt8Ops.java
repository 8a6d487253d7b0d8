package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.ExactFixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * TFLite's reference int8 pooling, Add and Softmax, written from their definitions with exact
 * arithmetic ({@link ExactFixedPoint}, BigDecimal): the references the runtime's kernels are tested
 * against, sharing none of their code.
 */
public final class NaiveInt8Ops {

    private NaiveInt8Ops() {
    }

    public static int requantize(int v, double real) {
        FixedPointMultiplier m = ExactFixedPoint.quantize(real);
        return ExactFixedPoint.multiply(v, m.multiplier(), m.shift());
    }

    private static int clamp(long v, int min, int max) {
        return (int) Math.max(min, Math.min(max, v));
    }

    /** Square-free pooling of {@code planes} planes h × w; {@code average} false for max. */
    public static byte[] pool(byte[] x, int planes, int h, int w, int kh, int kw, int sh, int sw, int[] pads, boolean average) {
        int oh = (h + pads[0] + pads[2] - kh) / sh + 1, ow = (w + pads[1] + pads[3] - kw) / sw + 1;
        byte[] y = new byte[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    long sum = 0;
                    int count = 0, max = Integer.MIN_VALUE;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * sh - pads[0] + ky, ix = ox * sw - pads[1] + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                int v = x[(p * h + iy) * w + ix];
                                sum += v;
                                count++;
                                max = Math.max(max, v);
                            }
                        }
                    }
                    y[(p * oh + oy) * ow + ox] = (byte) (average
                            ? BigDecimal.valueOf(sum).divide(BigDecimal.valueOf(count), 0, RoundingMode.HALF_UP).intValueExact() : max);
                }
            }
        }
        return y;
    }

    /** Mean of each of {@code planes} planes of {@code size} values. */
    public static byte[] globalAveragePool(byte[] x, int planes, int size, Quantization in, Quantization out) {
        byte[] y = new byte[planes];
        for (int p = 0; p < planes; p++) {
            int sum = 0;
            for (int i = 0; i < size; i++) {
                sum += x[p * size + i] - in.zeroPoint();
            }
            y[p] = (byte) clamp(requantize(sum, in.scale() / ((double) out.scale() * size)) + (long) out.zeroPoint(), -128, 127);
        }
        return y;
    }

    /** {@code a + b[bIndex(i)]}, TFLite's quantized Add; {@code min, max} the activation's int8 bounds. */
    public static byte[] add(byte[] a, byte[] b, java.util.function.IntUnaryOperator bIndex, Quantization qa, Quantization qb,
                             Quantization qy, int min, int max) {
        double twiceMax = 2.0 * Math.max(qa.scale(), qb.scale());
        byte[] y = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            int sa = requantize((a[i] - qa.zeroPoint()) * (1 << 20), qa.scale() / twiceMax);
            int sb = requantize((b[bIndex.applyAsInt(i)] - qb.zeroPoint()) * (1 << 20), qb.scale() / twiceMax);
            y[i] = (byte) clamp(requantize(sa + sb, twiceMax / ((1 << 20) * (double) qy.scale())) + (long) qy.zeroPoint(), min, max);
        }
        return y;
    }

    /** Row softmax to scale 1/256, zero point −128. */
    public static byte[] softmax(byte[] x, int cols, Quantization in) {
        byte[] y = new byte[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double[] e = new double[cols];
            double sum = 0;
            for (int k = 0; k < cols; k++) {
                e[k] = Math.exp(in.scale() * (double) x[r * cols + k]);
                sum += e[k];
            }
            for (int k = 0; k < cols; k++) {
                y[r * cols + k] = (byte) clamp(Math.round(e[k] / sum * 256) - 128, -128, 127);
            }
        }
        return y;
    }
}
