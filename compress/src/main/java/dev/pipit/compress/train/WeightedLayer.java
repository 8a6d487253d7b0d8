package dev.pipit.compress.train;

/**
 * A layer with a weight matrix {@code [rows = output channels, cols = fan-in]} and a bias per row.
 * Compression passes constrain training through it: a pruning mask and a shared-value palette are
 * projected onto the weights after every step; fake quantization makes the forward and backward passes
 * see per-channel int8-rounded weights while the optimizer updates the float ones (straight-through
 * estimator).
 */
public abstract sealed class WeightedLayer implements Layer permits Conv2d, Dense {

    final int rows;
    final int cols;
    final float[] weight;
    final float[] bias;
    final float[] weightGrad;
    final float[] biasGrad;
    /** The weights the passes use: {@link #weight} itself, or its fake-quantized copy. */
    float[] effective;
    private float[] mask;
    private int[] cluster;
    private int clusters;
    private boolean fakeQuant;

    WeightedLayer(int rows, int cols, float[] weight, float[] bias) {
        if (weight.length != rows * cols || bias.length != rows) {
            throw new IllegalArgumentException("layer needs " + rows + "x" + cols + " weights and " + rows
                    + " biases, got " + weight.length + " and " + bias.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.weight = weight;
        this.bias = bias;
        this.weightGrad = new float[weight.length];
        this.biasGrad = new float[rows];
        this.effective = weight;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The live weight array, {@code [rows, cols]} row-major (the trainer updates it in place). */
    public float[] weight() {
        return weight;
    }

    public float[] bias() {
        return bias;
    }

    /** Keeps the weights where {@code mask} is 1 and holds the rest at 0 (null removes the mask). */
    public void setMask(float[] mask) {
        if (mask != null && mask.length != weight.length) {
            throw new IllegalArgumentException("mask of " + mask.length + " for " + weight.length + " weights");
        }
        this.mask = mask;
        afterUpdate();
    }

    /** Ties every weight to the mean of its cluster, so fine-tuning moves the shared values only. */
    public void setPalette(int[] cluster, int clusters) {
        if (cluster != null && cluster.length != weight.length) {
            throw new IllegalArgumentException("palette assignment of " + cluster.length + " for " + weight.length);
        }
        this.cluster = cluster;
        this.clusters = clusters;
        afterUpdate();
    }

    public void setFakeQuant(boolean on) {
        this.fakeQuant = on;
        afterUpdate();
    }

    @Override
    public int channels() {
        return rows;
    }

    @Override
    public float[][] parameters() {
        return new float[][] {weight, bias};
    }

    @Override
    public float[][] gradients() {
        return new float[][] {weightGrad, biasGrad};
    }

    @Override
    public void afterUpdate() {
        if (mask != null) {
            for (int i = 0; i < weight.length; i++) {
                weight[i] *= mask[i];
            }
        }
        if (cluster != null) {
            double[] sum = new double[clusters];
            int[] count = new int[clusters];
            for (int i = 0; i < weight.length; i++) {
                sum[cluster[i]] += weight[i];
                count[cluster[i]]++;
            }
            for (int i = 0; i < weight.length; i++) {
                weight[i] = (float) (sum[cluster[i]] / count[cluster[i]]);
            }
        }
        if (fakeQuant) {
            if (effective == weight) {
                effective = new float[weight.length];
            }
            for (int r = 0; r < rows; r++) {
                float maxAbs = 0f;
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(weight[i]));
                }
                float scale = maxAbs > 0 ? maxAbs / 127f : 1f; // as the exporter: its scale, its rounding
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    effective[i] = Math.max(-127, Math.min(127, FakeQuant.roundHalfAway(weight[i] / scale))) * scale;
                }
            }
        } else {
            effective = weight;
        }
        derive();
    }

    /** Recomputes layouts derived from {@link #effective} (e.g. a transposed copy). */
    void derive() {
    }

    /** Fraction of weights that are exactly zero. */
    public double sparsity() {
        int zeros = 0;
        for (float w : weight) {
            zeros += w == 0f ? 1 : 0;
        }
        return (double) zeros / weight.length;
    }
}
