package dev.pipit.runtime.kernel;

/**
 * fp32 batch normalization at inference, per channel (axis 1): {@code y = x · a[c] + b[c]} with
 * {@code a = scale / √(var + ε)} and {@code b = bias − mean · a}, precomputed in double. Used when it
 * cannot be folded into a preceding layer. Safe in place.
 */
public final class BatchNorm {

    private final float[] multipliers;
    private final float[] offsets;
    private final int inner;

    /** @param inner elements per channel in a sample (the product of the dimensions after the channel one) */
    public BatchNorm(float[] scale, float[] bias, float[] mean, float[] variance, float epsilon, int inner) {
        int channels = scale.length;
        if (bias.length != channels || mean.length != channels || variance.length != channels) {
            throw new IllegalArgumentException("scale, bias, mean and variance must all have " + channels + " values");
        }
        this.multipliers = new float[channels];
        this.offsets = new float[channels];
        for (int c = 0; c < channels; c++) {
            double a = scale[c] / Math.sqrt((double) variance[c] + epsilon);
            multipliers[c] = (float) a;
            offsets[c] = (float) (bias[c] - mean[c] * a);
        }
        this.inner = inner;
    }

    /** Per-channel multiplier {@code scale / √(var + ε)}, as folding applies it. */
    public float multiplier(int c) {
        return multipliers[c];
    }

    /** Per-channel offset {@code bias − mean · multiplier}, as folding applies it. */
    public float offset(int c) {
        return offsets[c];
    }

    public void run(float[] x, int xOff, float[] y, int yOff, int batch) {
        int channels = multipliers.length;
        for (int s = 0; s < batch * channels; s++) {
            int c = s % channels;
            float a = multipliers[c], b = offsets[c];
            int base = s * inner;
            for (int i = 0; i < inner; i++) {
                y[yOff + base + i] = x[xOff + base + i] * a + b;
            }
        }
    }
}
