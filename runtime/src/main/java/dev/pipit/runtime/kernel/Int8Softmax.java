package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;

/**
 * Int8 softmax over each row of {@code [rows, cols]}, output quantized as TFLite requires (scale 1/256,
 * zero point −128): {@code y = round(256 · e_i / Σ e) − 128}, clamped, where
 * {@code e_i = exp(inputScale · (x_i − max))} comes from a 256-entry table built at load (the int8
 * difference to the row maximum is in [−255, 0]), summed in double, rounded half away from zero. Safe in
 * place: a row is read fully before it is written.
 */
public final class Int8Softmax {

    /** The output quantization int8 softmax must have. */
    public static final Quantization OUTPUT = Quantization.perTensor(1f / 256, -128);

    private final double[] exp = new double[256];

    public Int8Softmax(Quantization input) {
        for (int d = 0; d < exp.length; d++) {
            exp[d] = Math.exp(-(double) input.scale() * d);
        }
    }

    public void apply(byte[] x, int xOff, byte[] y, int yOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            int max = Byte.MIN_VALUE;
            for (int k = 0; k < cols; k++) {
                max = Math.max(max, x[xi + k]);
            }
            double sum = 0;
            for (int k = 0; k < cols; k++) {
                sum += exp[max - x[xi + k]];
            }
            double scale = 256 / sum;
            for (int k = 0; k < cols; k++) {
                long q = Math.round(exp[max - x[xi + k]] * scale); // non-negative: Math.round is half away from zero
                y[yi + k] = (byte) Math.min(127, q - 128);
            }
        }
    }
}
