package dev.pipit.runtime.kernel;

/** fp32 {@code y = min(max(x, min), max)} (RELU6, CLIP); safe in place. */
public final class Clip {

    private Clip() {
    }

    public static void apply(float[] x, int xOff, float[] y, int yOff, int count, ActivationRange range) {
        for (int i = 0; i < count; i++) {
            y[yOff + i] = range.clamp(x[xOff + i]);
        }
    }
}
