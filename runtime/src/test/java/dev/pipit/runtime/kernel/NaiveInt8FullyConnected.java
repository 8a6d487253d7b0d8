package dev.pipit.runtime.kernel;

import dev.pipit.runtime.quant.ExactFixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * TFLite's reference int8 FullyConnected, written out plainly: {@code acc = Σ w·(x − x_zp) + bias}
 * (no folding), requantized with the exact-arithmetic reference, plus output zero point, clamped.
 */
public final class NaiveInt8FullyConnected {

    private NaiveInt8FullyConnected() {
    }

    /** [batch, in] to [batch, out]; {@code weightScales} has one entry per output or a single one. */
    public static byte[] run(byte[] x, int batch, byte[] w, int out, int in, float[] weightScales, int[] bias,
                             float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint, boolean relu) {
        byte[] y = new byte[batch * out];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < out; c++) {
                long acc = bias == null ? 0 : bias[c];
                for (int k = 0; k < in; k++) {
                    acc += w[c * in + k] * (x[b * in + k] - inputZeroPoint);
                }
                float weightScale = weightScales[weightScales.length == 1 ? 0 : c];
                FixedPointMultiplier m = ExactFixedPoint.quantize((double) inputScale * weightScale / outputScale);
                int v = ExactFixedPoint.multiply(Math.toIntExact(acc), m.multiplier(), m.shift()) + outputZeroPoint;
                int min = relu ? Math.max(-128, outputZeroPoint) : -128;
                y[b * out + c] = (byte) Math.min(127, Math.max(min, v));
            }
        }
        return y;
    }
}
