package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * The int8 epilogue of FULLY_CONNECTED, CONV_2D and MATMUL, TFLite's: per output channel {@code c},
 * {@code acc + bias[c]} requantized by {@code inputScale · weightScale[c] / outputScale}
 * ({@link FixedPointMultiplier}, double rounding), plus the output zero point, clamped to the fused
 * activation's int8 range.
 *
 * <p>The kernels accumulate {@code Σ w·x}, not {@code Σ w·(x − x_zp)}: {@code x_zp · Σ w} is folded into
 * the bias here. Int32 arithmetic wraps, so the folded sum equals TFLite's whenever TFLite's does not
 * overflow.
 */
final class Int8OutputStage {

    private final int[] foldedBias;
    private final int[] multipliers;
    private final int[] shifts;
    private final int outputZeroPoint;
    private final int min;
    private final int max;

    /**
     * @param weightQuantization per tensor, or per channel with one scale per row of {@code weights}
     * @param bias int32, one per row, or null
     */
    Int8OutputStage(Int8Matrix weights, Quantization weightQuantization, int[] bias,
                    Quantization input, Quantization output, ActivationRange activation) {
        int channels = weights.rows();
        if (bias != null && bias.length != channels) {
            throw new IllegalArgumentException("bias must have " + channels + " values, has " + bias.length);
        }
        float[] weightScales = weightQuantization.scales();
        if (!weightQuantization.isPerTensor() && weightScales.length != channels) {
            throw new IllegalArgumentException("weights need " + channels + " channel scales, have " + weightScales.length);
        }
        foldedBias = new int[channels];
        multipliers = new int[channels];
        shifts = new int[channels];
        for (int c = 0; c < channels; c++) {
            foldedBias[c] = (bias == null ? 0 : bias[c]) - input.zeroPoint() * weights.rowSum(c);
            double weightScale = weightScales[weightQuantization.isPerTensor() ? 0 : c];
            FixedPointMultiplier m = FixedPointMultiplier.of((double) input.scale() * weightScale / output.scale());
            multipliers[c] = m.multiplier();
            shifts[c] = m.shift();
        }
        outputZeroPoint = output.zeroPoint();
        min = activation.int8Min(output);
        max = activation.int8Max(output);
    }

    int channels() {
        return foldedBias.length;
    }

    /** Channel {@code c}'s output for the accumulated {@code Σ w·x}. */
    byte apply(int c, int acc) {
        int v = FixedPoint.multiplyByQuantizedMultiplier(acc + foldedBias[c], multipliers[c], shifts[c]) + outputZeroPoint;
        return (byte) Math.min(max, Math.max(min, v));
    }

    int foldedBias(int c) {
        return foldedBias[c];
    }

    int multiplier(int c) {
        return multipliers[c];
    }

    int shift(int c) {
        return shifts[c];
    }

    int outputZeroPoint() {
        return outputZeroPoint;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }
}
