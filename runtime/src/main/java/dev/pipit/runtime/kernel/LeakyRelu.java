package dev.pipit.runtime.kernel;

/** fp32 {@code y = x ≥ 0 ? x : alpha · x}; safe in place. */
public final class LeakyRelu {

    private LeakyRelu() {
    }

    public static void apply(float[] x, int xOff, float[] y, int yOff, int count, float alpha) {
        for (int i = 0; i < count; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v >= 0f ? v : alpha * v;
        }
    }
}
