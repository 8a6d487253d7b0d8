package dev.pipit.runtime.kernel;

/** fp32 {@code y = max(x, 0)}; safe in place. */
public final class Relu {

    private Relu() {
    }

    public static void apply(float[] x, int xOff, float[] y, int yOff, int count) {
        for (int i = 0; i < count; i++) {
            y[yOff + i] = Math.max(x[xOff + i], 0f);
        }
    }
}
