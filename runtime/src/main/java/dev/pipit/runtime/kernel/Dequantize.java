package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;

/** int8 to fp32: {@code x = scale · (q − zeroPoint)}, the product in fp32 as TFLite computes it. */
public final class Dequantize {

    private final float scale;
    private final int zeroPoint;

    public Dequantize(Quantization input) {
        this.scale = input.scale();
        this.zeroPoint = input.zeroPoint();
    }

    public void apply(byte[] q, int qOff, float[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            y[yOff + i] = scale * (q[qOff + i] - zeroPoint);
        }
    }
}
