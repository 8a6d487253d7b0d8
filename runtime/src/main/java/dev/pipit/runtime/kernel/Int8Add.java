package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Int8 {@code y = a + b} as TFLite's quantized Add: each input offset by its zero point and shifted left
 * by 20 bits, scaled by {@code inputScale / (2 · max(aScale, bScale))}; the sum scaled by
 * {@code 2 · max(aScale, bScale) / (2^20 · outputScale)}, plus the output zero point, clamped to the
 * fused activation's range. Every scaling is a double-rounding fixed-point multiply. b broadcasts
 * ({@link Broadcast}). Safe in place over a.
 */
public final class Int8Add {

    private static final int LEFT_SHIFT = 20;

    private final Broadcast broadcast;
    private final int aZeroPoint;
    private final int bZeroPoint;
    private final FixedPointMultiplier aMultiplier;
    private final FixedPointMultiplier bMultiplier;
    private final int outputMultiplier;
    private final int outputShift;
    private final int outputZeroPoint;
    private final int min;
    private final int max;

    public Int8Add(Broadcast broadcast, Quantization a, Quantization b, Quantization output, ActivationRange activation) {
        double twiceMax = 2.0 * Math.max(a.scale(), b.scale());
        this.broadcast = broadcast;
        this.aZeroPoint = a.zeroPoint();
        this.bZeroPoint = b.zeroPoint();
        this.aMultiplier = FixedPointMultiplier.of(a.scale() / twiceMax);
        this.bMultiplier = FixedPointMultiplier.of(b.scale() / twiceMax);
        FixedPointMultiplier out = FixedPointMultiplier.of(twiceMax / ((1 << LEFT_SHIFT) * (double) output.scale()));
        this.outputMultiplier = out.multiplier();
        this.outputShift = out.shift();
        this.outputZeroPoint = output.zeroPoint();
        this.min = activation.int8Min(output);
        this.max = activation.int8Max(output);
    }

    /** @param bSampleStride elements between b's samples: {@code broadcast.bSize()}, or 0 for a constant b */
    public void run(byte[] a, int aOff, byte[] b, int bOff, int bSampleStride, byte[] y, int yOff, int batch) {
        int size = broadcast.size(), inner = broadcast.inner(), runs = broadcast.runs(), stride = broadcast.innerStride();
        for (int n = 0; n < batch; n++) {
            for (int r = 0; r < runs; r++) {
                int ai = aOff + n * size + r * inner, yi = yOff + n * size + r * inner;
                int bi = bOff + n * bSampleStride + broadcast.bOffset(r);
                for (int i = 0; i < inner; i++) {
                    int sa = aMultiplier.apply((a[ai + i] - aZeroPoint) << LEFT_SHIFT);
                    int sb = bMultiplier.apply((b[bi + i * stride] - bZeroPoint) << LEFT_SHIFT);
                    int v = FixedPoint.multiplyByQuantizedMultiplier(sa + sb, outputMultiplier, outputShift) + outputZeroPoint;
                    y[yi + i] = (byte) Math.min(max, Math.max(min, v));
                }
            }
        }
    }
}
