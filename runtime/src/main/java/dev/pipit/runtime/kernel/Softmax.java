package dev.pipit.runtime.kernel;

/** fp32 softmax over each row of {@code [rows, cols]}, shifted by the row maximum for stability; safe in place. */
public final class Softmax {

    private Softmax() {
    }

    public static void apply(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < cols; k++) {
                max = Math.max(max, x[xi + k]);
            }
            float sum = 0f;
            for (int k = 0; k < cols; k++) {
                float e = (float) Math.exp(x[xi + k] - max);
                y[yi + k] = e;
                sum += e;
            }
            float inverse = 1f / sum;
            for (int k = 0; k < cols; k++) {
                y[yi + k] *= inverse;
            }
        }
    }
}
