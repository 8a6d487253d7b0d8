package dev.pipit.compress.train;

import java.util.Arrays;

/**
 * 2-D convolution, NCHW, one group, square kernel, stride and zero padding, as PyTorch's
 * {@code nn.Conv2d}: weights {@code [out, in, k, k]}. Computed as im2col followed by row-times-matrix
 * products whose inner loops run over contiguous output positions (which C2 vectorises).
 */
public final class Conv2d extends WeightedLayer {

    final int inChannels;
    final int height;
    final int width;
    final int kernel;
    final int stride;
    final int pad;
    final int outHeight;
    final int outWidth;
    private final int positions;
    /** Per sample, the im2col matrix {@code [cols, positions]}; reused for the column gradients. */
    private float[] columns = new float[0];

    public Conv2d(int[] inputShape, int outChannels, int kernel, int stride, int pad, float[] weight, float[] bias) {
        super(outChannels, inputShape[0] * kernel * kernel, weight, bias);
        this.inChannels = inputShape[0];
        this.height = inputShape[1];
        this.width = inputShape[2];
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.outHeight = (height + 2 * pad - kernel) / stride + 1;
        this.outWidth = (width + 2 * pad - kernel) / stride + 1;
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("a " + kernel + "x" + kernel + " kernel does not fit " + Arrays.toString(inputShape));
        }
        this.positions = outHeight * outWidth;
    }

    /** PyTorch's default initialisation: weights and biases uniform in ±1/√fan_in. */
    public static Conv2d initialized(int[] inputShape, int outChannels, int kernel, java.util.Random random) {
        int fanIn = inputShape[0] * kernel * kernel;
        float bound = (float) (1 / Math.sqrt(fanIn));
        return new Conv2d(inputShape, outChannels, kernel, 1, 0, Network.uniform(random, outChannels * fanIn, bound),
                Network.uniform(random, outChannels, bound));
    }

    public int inChannels() {
        return inChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int pad() {
        return pad;
    }

    public int[] inputShape() {
        return new int[] {inChannels, height, width};
    }

    @Override
    public int[] outputShape() {
        return new int[] {rows, outHeight, outWidth};
    }

    @Override
    public void prepare(int batch) {
        columns = new float[batch * cols * positions];
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        int inSize = inChannels * height * width;
        int outSize = rows * positions;
        for (int b = from; b < to; b++) {
            int c0 = b * cols * positions;
            im2col(x, b * inSize, c0);
            int y0 = b * outSize;
            for (int o = 0; o < rows; o++) {
                int yo = y0 + o * positions;
                Arrays.fill(y, yo, yo + positions, bias[o]);
                for (int k = 0; k < cols; k++) {
                    float w = effective[o * cols + k];
                    if (w != 0f) {
                        int ck = c0 + k * positions;
                        for (int p = 0; p < positions; p++) {
                            y[yo + p] += w * columns[ck + p];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void weightGradients(float[] x, float[] dy, int n, int from, int to) {
        int outSize = rows * positions;
        for (int o = from; o < to; o++) {
            Arrays.fill(weightGrad, o * cols, (o + 1) * cols, 0f);
            float biasSum = 0f;
            for (int b = 0; b < n; b++) {
                int d0 = b * outSize + o * positions;
                int c0 = b * cols * positions;
                float s = 0f;
                for (int p = 0; p < positions; p++) {
                    s += dy[d0 + p];
                }
                biasSum += s;
                for (int k = 0; k < cols; k++) {
                    weightGrad[o * cols + k] += dot(dy, d0, columns, c0 + k * positions, positions);
                }
            }
            biasGrad[o] = biasSum;
        }
    }

    /** Reuses each sample's im2col block for its column gradient: call after {@link #weightGradients}. */
    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int inSize = inChannels * height * width;
        int outSize = rows * positions;
        for (int b = from; b < to; b++) {
            int c0 = b * cols * positions;
            Arrays.fill(columns, c0, c0 + cols * positions, 0f);
            for (int o = 0; o < rows; o++) {
                int d0 = b * outSize + o * positions;
                for (int k = 0; k < cols; k++) {
                    float w = effective[o * cols + k];
                    if (w != 0f) {
                        int ck = c0 + k * positions;
                        for (int p = 0; p < positions; p++) {
                            columns[ck + p] += w * dy[d0 + p];
                        }
                    }
                }
            }
            col2im(dx, b * inSize, c0);
        }
    }

    private void im2col(float[] x, int x0, int c0) {
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = c0 + ((c * kernel + ky) * kernel + kx) * positions;
                    for (int oy = 0; oy < outHeight; oy++) {
                        int iy = oy * stride + ky - pad;
                        int dst = row + oy * outWidth;
                        if (iy < 0 || iy >= height) {
                            Arrays.fill(columns, dst, dst + outWidth, 0f);
                            continue;
                        }
                        int src = x0 + (c * height + iy) * width;
                        for (int ox = 0; ox < outWidth; ox++) {
                            int ix = ox * stride + kx - pad;
                            columns[dst + ox] = ix < 0 || ix >= width ? 0f : x[src + ix];
                        }
                    }
                }
            }
        }
    }

    private void col2im(float[] dx, int x0, int c0) {
        Arrays.fill(dx, x0, x0 + inChannels * height * width, 0f);
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = c0 + ((c * kernel + ky) * kernel + kx) * positions;
                    for (int oy = 0; oy < outHeight; oy++) {
                        int iy = oy * stride + ky - pad;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        int dst = x0 + (c * height + iy) * width;
                        for (int ox = 0; ox < outWidth; ox++) {
                            int ix = ox * stride + kx - pad;
                            if (ix >= 0 && ix < width) {
                                dx[dst + ix] += columns[row + oy * outWidth + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Four partial sums: breaks the add chain so the loop is not latency-bound. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
