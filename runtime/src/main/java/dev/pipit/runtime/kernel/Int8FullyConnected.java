package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Int8 fully-connected layer with TFLite's quantized semantics: weights int8 [out, in], symmetric per
 * output channel (zero point 0); activations int8 asymmetric per tensor; bias int32 with scale
 * {@code inputScale · weightScale[c]}. Per output {@code c}:
 * {@code acc = Σ w·(x − x_zp) + bias}, requantized by {@code inputScale · weightScale[c] / outputScale}
 * ({@link FixedPointMultiplier}, double rounding), plus the output zero point, clamped to the fused
 * activation's range (RELU: [output zero point, 127]).
 *
 * <p>{@code Σ w·x_zp} is folded into the bias here, so the hot loop is the plain {@code Σ w·x}. Int32
 * arithmetic wraps, so the folded sum equals TFLite's whenever TFLite's does not overflow.
 */
public final class Int8FullyConnected {

    private final VectorKernels kernels;
    private final byte[] weights;
    private final int in;
    private final int out;
    private final int[] foldedBias;
    private final int[] multipliers;
    private final int[] shifts;
    private final int outputZeroPoint;
    private final int min;
    private final int max;

    /**
     * @param weights row-major [out, in], values in [-127, 127]
     * @param weightQuantization per channel along axis 0, or per tensor; zero points 0
     * @param bias int32 [out], or null for none
     */
    public Int8FullyConnected(VectorKernels kernels, byte[] weights, int out, int in,
                              Quantization weightQuantization, int[] bias,
                              Quantization input, Quantization output, Activation activation) {
        if (weights.length != out * in || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("weights must be [" + out + ", " + in + "] and bias [" + out + "]");
        }
        this.kernels = kernels;
        this.weights = weights.clone();
        this.in = in;
        this.out = out;
        this.foldedBias = new int[out];
        this.multipliers = new int[out];
        this.shifts = new int[out];
        float[] weightScales = weightQuantization.scales();
        for (int c = 0; c < out; c++) {
            int weightSum = 0;
            for (int k = 0; k < in; k++) {
                weightSum += weights[c * in + k];
            }
            foldedBias[c] = (bias == null ? 0 : bias[c]) - input.zeroPoint() * weightSum;
            double weightScale = weightScales[weightQuantization.isPerTensor() ? 0 : c];
            FixedPointMultiplier m = FixedPointMultiplier.of((double) input.scale() * weightScale / output.scale());
            multipliers[c] = m.multiplier();
            shifts[c] = m.shift();
        }
        this.outputZeroPoint = output.zeroPoint();
        this.min = activation == Activation.RELU ? Math.max(-128, outputZeroPoint) : -128;
        this.max = 127;
    }

    /** Bytes of the constants this layer holds: one per weight, four per (folded) bias. */
    public long weightBytes() {
        return weights.length + 4L * foldedBias.length;
    }

    /**
     * Output channels {@code [rowFrom, rowTo)} of {@code batch} samples; {@code x} holds [batch, in] from
     * {@code xOff}, {@code y} receives [batch, out] from {@code yOff}. {@code acc} is scratch of at least
     * {@code out} ints, of which only {@code [rowFrom, rowTo)} is touched.
     */
    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch, int rowFrom, int rowTo, int[] acc) {
        for (int b = 0; b < batch; b++) {
            kernels.gemvInt8(weights, in, rowFrom, rowTo, x, xOff + b * in, acc, 0);
            int yRow = yOff + b * out;
            for (int c = rowFrom; c < rowTo; c++) {
                int v = FixedPoint.multiplyByQuantizedMultiplier(acc[c] + foldedBias[c], multipliers[c], shifts[c])
                        + outputZeroPoint;
                y[yRow + c] = (byte) Math.min(max, Math.max(min, v));
            }
        }
    }
}
