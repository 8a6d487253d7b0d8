package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Int8 RELU as TFLite computes it: requantize {@code x − inputZp} by {@code inputScale / outputScale},
 * add the output zero point, clamp to [outputZp, 127]. Equal input and output quantization makes this
 * {@code max(x, zp)} exactly. Safe in place.
 */
public final class Int8Relu {

    private final int inputZeroPoint;
    private final int multiplier;
    private final int shift;
    private final int outputZeroPoint;
    private final int min;

    public Int8Relu(Quantization input, Quantization output) {
        FixedPointMultiplier m = FixedPointMultiplier.of((double) input.scale() / output.scale());
        this.inputZeroPoint = input.zeroPoint();
        this.multiplier = m.multiplier();
        this.shift = m.shift();
        this.outputZeroPoint = output.zeroPoint();
        this.min = Math.max(-128, outputZeroPoint);
    }

    public void apply(byte[] x, int xOff, byte[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            int v = outputZeroPoint + FixedPoint.multiplyByQuantizedMultiplier(x[xOff + i] - inputZeroPoint, multiplier, shift);
            y[yOff + i] = (byte) Math.min(127, Math.max(min, v));
        }
    }
}
