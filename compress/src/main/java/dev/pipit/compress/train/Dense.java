package dev.pipit.compress.train;

import java.util.Arrays;

/**
 * Fully-connected layer {@code y = x · Wᵀ + b}, W {@code [out, in]} as PyTorch's {@code nn.Linear}. The
 * forward pass runs over a transposed copy so its inner loop is an axpy over contiguous outputs.
 */
public final class Dense extends WeightedLayer {

    private float[] transposed;

    public Dense(int in, int out, float[] weight, float[] bias) {
        super(out, in, weight, bias);
        derive();
    }

    /** PyTorch's default initialisation: weights and biases uniform in ±1/√fan_in. */
    public static Dense initialized(int in, int out, java.util.Random random) {
        float bound = (float) (1 / Math.sqrt(in));
        return new Dense(in, out, Network.uniform(random, out * in, bound), Network.uniform(random, out, bound));
    }

    @Override
    public int[] outputShape() {
        return new int[] {rows};
    }

    @Override
    void derive() {
        if (transposed == null) {
            transposed = new float[weight.length];
        }
        for (int o = 0; o < rows; o++) {
            for (int i = 0; i < cols; i++) {
                transposed[i * rows + o] = effective[o * cols + i];
            }
        }
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        for (int b = from; b < to; b++) {
            int yo = b * rows;
            System.arraycopy(bias, 0, y, yo, rows);
            int xo = b * cols;
            for (int i = 0; i < cols; i++) {
                float a = x[xo + i];
                if (a != 0f) { // ReLU outputs and image background are often zero
                    int wo = i * rows;
                    for (int o = 0; o < rows; o++) {
                        y[yo + o] += a * transposed[wo + o];
                    }
                }
            }
        }
    }

    @Override
    public void weightGradients(float[] x, float[] dy, int n, int from, int to) {
        for (int o = from; o < to; o++) {
            int go = o * cols;
            Arrays.fill(weightGrad, go, go + cols, 0f);
            float biasSum = 0;
            for (int b = 0; b < n; b++) {
                float d = dy[b * rows + o];
                if (d != 0f) {
                    biasSum += d;
                    int xo = b * cols;
                    for (int i = 0; i < cols; i++) {
                        weightGrad[go + i] += d * x[xo + i];
                    }
                }
            }
            biasGrad[o] = biasSum;
        }
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int b = from; b < to; b++) {
            int po = b * cols;
            Arrays.fill(dx, po, po + cols, 0f);
            for (int o = 0; o < rows; o++) {
                float d = dy[b * rows + o];
                if (d != 0f) {
                    int wo = o * cols;
                    for (int i = 0; i < cols; i++) {
                        dx[po + i] += d * effective[wo + i];
                    }
                }
            }
        }
    }
}
