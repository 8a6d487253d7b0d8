package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;

/**
 * Dynamic-range int8 fully-connected layer: fp32 in and out, int8 weights (symmetric, per output channel
 * or per tensor). {@link #quantize} maps each sample to int8 from its own observed range (asymmetric,
 * the range widened to include 0):
 * {@code scale = (max − min) / 255}, {@code zp = clamp(round(−128 − min / scale))},
 * {@code q = clamp(round(zp + x · (1 / scale)))} (fp32, ties away from zero; a zero sample uses scale 1
 * and zp 0). {@link #run} accumulates {@code Σ w·q} in int32 through the vector kernels, subtracts
 * {@code zp · Σ w}, and dequantizes with {@code scale · weightScale[c]} before adding the fp32 bias and
 * applying the activation's range. Not thread-safe across samples' quantization: one interpreter's steps
 * run one after another.
 */
public final class DynamicFullyConnected {

    private final VectorKernels kernels;
    private final Int8Matrix weights;
    private final int in;
    private final int out;
    private final float[] weightScales;
    private final float[] bias;
    private final ActivationRange activation;
    private final float[] sampleScales;
    private final int[] sampleZeroPoints;

    /**
     * @param weights [out, in], values in [-127, 127]
     * @param bias fp32 [out], or null
     * @param maxBatch the most samples one call quantizes
     */
    public DynamicFullyConnected(VectorKernels kernels, Int8Matrix weights, Quantization weightQuantization, float[] bias,
                                 ActivationRange activation, int maxBatch) {
        this.kernels = kernels;
        this.weights = weights;
        this.in = weights.cols();
        this.out = weights.rows();
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias must have " + out + " values, has " + bias.length);
        }
        float[] scales = weightQuantization.scales();
        this.weightScales = new float[out];
        for (int c = 0; c < out; c++) {
            weightScales[c] = scales[weightQuantization.isPerTensor() ? 0 : c];
        }
        this.bias = bias == null ? new float[out] : bias.clone();
        this.activation = activation;
        this.sampleScales = new float[maxBatch];
        this.sampleZeroPoints = new int[maxBatch];
    }

    /** Bytes of the constants: the int8 weights and four per (fp32) bias. */
    public long weightBytes() {
        return weights.bytes() + 4L * out;
    }

    /** Quantizes {@code batch} samples of {@code x} ([batch, in]) into {@code q}, remembering each sample's scale and zero point. */
    public void quantize(float[] x, int xOff, int batch, byte[] q, int qOff) {
        for (int b = 0; b < batch; b++) {
            int xi = xOff + b * in, qi = qOff + b * in;
            float min = 0f, max = 0f;
            for (int k = 0; k < in; k++) {
                min = Math.min(min, x[xi + k]);
                max = Math.max(max, x[xi + k]);
            }
            float scale = 1f;
            int zeroPoint = 0;
            if (max > min) {
                double s = ((double) max - min) / 255;
                scale = (float) s;
                zeroPoint = (int) Math.max(-128, Math.min(127, Math.round(-128 - min / s)));
            }
            float inverse = 1f / scale;
            for (int k = 0; k < in; k++) {
                float r = Quantize.roundHalfAwayFromZero(zeroPoint + x[xi + k] * inverse);
                q[qi + k] = (byte) Math.max(-128f, Math.min(127f, r));
            }
            sampleScales[b] = scale;
            sampleZeroPoints[b] = zeroPoint;
        }
    }

    /**
     * Output channels {@code [from, to)} of the samples last {@link #quantize quantized} into {@code q};
     * {@code acc} as in {@link Int8FullyConnected#run}.
     */
    public void run(byte[] q, int qOff, float[] y, int yOff, int batch, int from, int to, int[] acc) {
        int tile = Math.max(1, acc.length / out);
        for (int b0 = 0; b0 < batch; b0 += tile) {
            int samples = Math.min(tile, batch - b0);
            weights.multiply(kernels, from, to, q, qOff + b0 * in, in, samples, acc, 0, out, null, 0);
            for (int s = 0; s < samples; s++) {
                float scale = sampleScales[b0 + s];
                int zeroPoint = sampleZeroPoints[b0 + s];
                int yRow = yOff + (b0 + s) * out;
                for (int c = from; c < to; c++) {
                    int corrected = acc[s * out + c] - zeroPoint * weights.rowSum(c);
                    y[yRow + c] = activation.clamp(corrected * (scale * weightScales[c]) + bias[c]);
                }
            }
        }
    }
}
