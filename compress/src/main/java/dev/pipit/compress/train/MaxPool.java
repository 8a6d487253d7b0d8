package dev.pipit.compress.train;

/**
 * Max pooling over {@code k × k} windows with stride {@code stride}, no padding, floor mode (PyTorch's
 * {@code nn.MaxPool2d(k)} default). Remembers each output's winning input for the backward pass.
 */
public final class MaxPool implements Layer {

    final int channels;
    final int height;
    final int width;
    final int kernel;
    final int stride;
    final int outHeight;
    final int outWidth;
    private int[] argmax = new int[0];

    public MaxPool(int[] inputShape, int kernel, int stride) {
        if (inputShape.length != 3 || kernel < 1 || stride < 1 || inputShape[1] < kernel || inputShape[2] < kernel) {
            throw new IllegalArgumentException("max pool " + kernel + "/" + stride + " does not fit input "
                    + java.util.Arrays.toString(inputShape));
        }
        this.channels = inputShape[0];
        this.height = inputShape[1];
        this.width = inputShape[2];
        this.kernel = kernel;
        this.stride = stride;
        this.outHeight = (height - kernel) / stride + 1;
        this.outWidth = (width - kernel) / stride + 1;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    @Override
    public int[] outputShape() {
        return new int[] {channels, outHeight, outWidth};
    }

    @Override
    public void prepare(int batch) {
        argmax = new int[batch * outputSize()];
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        int inSize = channels * height * width;
        int outSize = outputSize();
        for (int b = from; b < to; b++) {
            int o = b * outSize;
            for (int c = 0; c < channels; c++) {
                int plane = b * inSize + c * height * width;
                for (int oy = 0; oy < outHeight; oy++) {
                    for (int ox = 0; ox < outWidth; ox++, o++) {
                        int best = plane + oy * stride * width + ox * stride;
                        for (int ky = 0; ky < kernel; ky++) {
                            int row = plane + (oy * stride + ky) * width + ox * stride;
                            for (int kx = 0; kx < kernel; kx++) {
                                if (x[row + kx] > x[best]) {
                                    best = row + kx;
                                }
                            }
                        }
                        y[o] = x[best];
                        argmax[o] = best;
                    }
                }
            }
        }
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int inSize = channels * height * width;
        int outSize = outputSize();
        java.util.Arrays.fill(dx, from * inSize, to * inSize, 0f);
        for (int o = from * outSize; o < to * outSize; o++) {
            dx[argmax[o]] += dy[o];
        }
    }
}
