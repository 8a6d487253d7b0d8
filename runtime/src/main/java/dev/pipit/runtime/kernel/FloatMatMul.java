package dev.pipit.runtime.kernel;

/**
 * fp32 {@code Y = A · B} per sample with both operands activations: A {@code [m, k]}, B {@code [k, n]}, Y
 * {@code [m, n]}, then the fused activation's range. The innermost loop runs along a row of B and Y,
 * contiguous, which C2 auto-vectorises.
 */
public final class FloatMatMul {

    private final int m;
    private final int k;
    private final int n;
    private final ActivationRange activation;

    public FloatMatMul(int m, int k, int n, ActivationRange activation) {
        this.m = m;
        this.k = k;
        this.n = n;
        this.activation = activation;
    }

    public void run(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int batch) {
        for (int s = 0; s < batch; s++) {
            int as = aOff + s * m * k, bs = bOff + s * k * n, ys = yOff + s * m * n;
            for (int i = 0; i < m; i++) {
                int yi = ys + i * n;
                java.util.Arrays.fill(y, yi, yi + n, 0f);
                for (int kk = 0; kk < k; kk++) {
                    float av = a[as + i * k + kk];
                    int bk = bs + kk * n;
                    for (int j = 0; j < n; j++) {
                        y[yi + j] += av * b[bk + j];
                    }
                }
                for (int j = 0; j < n; j++) {
                    y[yi + j] = activation.clamp(y[yi + j]);
                }
            }
        }
    }
}
