package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Int8 RELU6 and CLIP as TFLite's {@code ReluX}: requantize {@code x − inputZp} by
 * {@code inputScale / outputScale}, add the output zero point, clamp to the range's int8 bounds
 * ({@link ActivationRange#int8Min}, {@link ActivationRange#int8Max}). Safe in place.
 */
public final class Int8Clip {

    private final int inputZeroPoint;
    private final int multiplier;
    private final int shift;
    private final int outputZeroPoint;
    private final int min;
    private final int max;

    public Int8Clip(Quantization input, Quantization output, ActivationRange range) {
        FixedPointMultiplier m = FixedPointMultiplier.of((double) input.scale() / output.scale());
        this.inputZeroPoint = input.zeroPoint();
        this.multiplier = m.multiplier();
        this.shift = m.shift();
        this.outputZeroPoint = output.zeroPoint();
        this.min = range.int8Min(output);
        this.max = range.int8Max(output);
        if (min > max) {
            throw new IllegalArgumentException("the clip range " + range + " is empty in the output quantization");
        }
    }

    public void apply(byte[] x, int xOff, byte[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            int v = outputZeroPoint + FixedPoint.multiplyByQuantizedMultiplier(x[xOff + i] - inputZeroPoint, multiplier, shift);
            y[yOff + i] = (byte) Math.min(max, Math.max(min, v));
        }
    }
}
