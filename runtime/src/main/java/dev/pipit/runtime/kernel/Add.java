package dev.pipit.runtime.kernel;

/**
 * fp32 {@code y = a + b} with b broadcast ({@link Broadcast}), then the fused activation's range. Safe
 * in place over a.
 */
public final class Add {

    private final Broadcast broadcast;
    private final ActivationRange activation;

    public Add(Broadcast broadcast, ActivationRange activation) {
        this.broadcast = broadcast;
        this.activation = activation;
    }

    /** @param bSampleStride elements between b's samples: {@code broadcast.bSize()}, or 0 for a constant b */
    public void run(float[] a, int aOff, float[] b, int bOff, int bSampleStride, float[] y, int yOff, int batch) {
        int size = broadcast.size(), inner = broadcast.inner(), runs = broadcast.runs(), stride = broadcast.innerStride();
        for (int n = 0; n < batch; n++) {
            for (int r = 0; r < runs; r++) {
                int ai = aOff + n * size + r * inner, yi = yOff + n * size + r * inner;
                int bi = bOff + n * bSampleStride + broadcast.bOffset(r);
                for (int i = 0; i < inner; i++) {
                    y[yi + i] = activation.clamp(a[ai + i] + b[bi + i * stride]);
                }
            }
        }
    }
}
