package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Activation;

/**
 * fp32 fully-connected layer: {@code y = x · Wᵀ + b}, clamped to the fused activation's range. A batch
 * is one GEMM, so each weight row is read once per batch.
 */
public final class FloatFullyConnected {

    private final VectorKernels kernels;
    private final float[] weights;
    private final int in;
    private final int out;
    private final float[] bias;
    private final ActivationRange activation;

    /**
     * @param weights row-major [out, in]
     * @param bias [out], or null for none
     */
    public FloatFullyConnected(VectorKernels kernels, float[] weights, int out, int in, float[] bias,
                               Activation activation) {
        this(kernels, weights, out, in, bias, ActivationRange.of(activation));
    }

    public FloatFullyConnected(VectorKernels kernels, float[] weights, int out, int in, float[] bias,
                               ActivationRange activation) {
        if (weights.length != out * in || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("weights must be [" + out + ", " + in + "] and bias [" + out + "]");
        }
        this.kernels = kernels;
        this.weights = weights.clone();
        this.in = in;
        this.out = out;
        this.bias = bias == null ? new float[out] : bias.clone();
        this.activation = activation;
    }

    /** Bytes of the constants this layer holds. */
    public long weightBytes() {
        return 4L * (weights.length + bias.length);
    }

    /** Output channels {@code [rowFrom, rowTo)} of {@code batch} samples ([batch, in] to [batch, out]). */
    public void run(float[] x, int xOff, float[] y, int yOff, int batch, int rowFrom, int rowTo) {
        kernels.gemmFloat(weights, 0, in, rowFrom, rowTo, x, xOff, in, batch, y, yOff, out);
        for (int b = 0; b < batch; b++) {
            int yRow = yOff + b * out;
            for (int c = rowFrom; c < rowTo; c++) {
                y[yRow + c] = activation.clamp(y[yRow + c] + bias[c]);
            }
        }
    }
}
