package dev.pipit.runtime.kernel;

import dev.pipit.runtime.quant.ExactFixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * TFLite's reference int8 Conv2D written out plainly: for every output, {@code acc = bias + Σ w·(x − x_zp)}
 * over the taps inside the input (padding contributes nothing), requantized with the exact-arithmetic
 * reference, plus the output zero point, clamped to {@code [min, max]}.
 */
public final class NaiveInt8Conv2d {

    /** The geometry: {@code pads} top, left, bottom, right. */
    public record Shape(int channels, int h, int w, int out, int group, int kh, int kw, int sh, int sw, int[] pads, int dh, int dw) {

        public int outH() {
            return (h + pads[0] + pads[2] - dh * (kh - 1) - 1) / sh + 1;
        }

        public int outW() {
            return (w + pads[1] + pads[3] - dw * (kw - 1) - 1) / sw + 1;
        }

        public Window2d window() {
            return new Window2d(h, w, kh, kw, sh, sw, pads[0], pads[1], pads[2], pads[3], dh, dw);
        }
    }

    private NaiveInt8Conv2d() {
    }

    /** {@code weights} [out, channels / group, kh, kw]; {@code weightScales} one per output channel or one. */
    public static byte[] run(byte[] x, int batch, Shape s, byte[] weights, float[] weightScales, int[] bias,
                             float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint, int min, int max) {
        int groupIn = s.channels() / s.group(), groupOut = s.out() / s.group();
        int oh = s.outH(), ow = s.outW();
        byte[] y = new byte[batch * s.out() * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < s.out(); oc++) {
                int g = oc / groupOut;
                float weightScale = weightScales[weightScales.length == 1 ? 0 : oc];
                FixedPointMultiplier m = ExactFixedPoint.quantize((double) inputScale * weightScale / outputScale);
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        long acc = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < groupIn; ic++) {
                            for (int ky = 0; ky < s.kh(); ky++) {
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = oy * s.sh() - s.pads()[0] + ky * s.dh();
                                    int ix = ox * s.sw() - s.pads()[1] + kx * s.dw();
                                    if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
                                        continue;
                                    }
                                    int xv = x[((n * s.channels() + g * groupIn + ic) * s.h() + iy) * s.w() + ix];
                                    int wv = weights[((oc * groupIn + ic) * s.kh() + ky) * s.kw() + kx];
                                    acc += (long) wv * (xv - inputZeroPoint);
                                }
                            }
                        }
                        int v = ExactFixedPoint.multiply(Math.toIntExact(acc), m.multiplier(), m.shift()) + outputZeroPoint;
                        y[((n * s.out() + oc) * oh + oy) * ow + ox] = (byte) Math.min(max, Math.max(min, v));
                    }
                }
            }
        }
        return y;
    }
}
