package dev.pipit.runtime.kernel;

/**
 * fp32 2-D convolution over NCHW activations, structured as {@link Int8Conv2d}: im2col tiles in
 * caller-owned scratch multiplied by the vector kernels' GEMM, depthwise convolutions walked directly;
 * bias added and the fused activation's range applied per output.
 */
public final class FloatConv2d {

    private static final int TILE_FLOATS = Int8Conv2d.TILE_BYTES / 4;

    private final VectorKernels kernels;
    private final float[] weights;
    private final float[] bias;
    private final Window2d window;
    private final int inChannels;
    private final int outChannels;
    private final int groupIn;
    private final int groupOut;
    private final int k;
    private final int tile;
    private final ActivationRange activation;

    /**
     * @param weights row-major {@code [out, inChannels / group, kh, kw]}
     * @param bias [out], or null
     */
    public FloatConv2d(VectorKernels kernels, float[] weights, int outChannels, float[] bias, int inChannels, int group,
                       Window2d window, ActivationRange activation) {
        if (group < 1 || inChannels % group != 0 || outChannels % group != 0) {
            throw new IllegalArgumentException("group " + group + " must divide the " + inChannels
                    + " input and " + outChannels + " output channels");
        }
        this.k = inChannels / group * window.kh() * window.kw();
        if (weights.length != (long) outChannels * k || (bias != null && bias.length != outChannels)) {
            throw new IllegalArgumentException("weights must hold " + outChannels + " × " + k + " values and bias " + outChannels);
        }
        this.kernels = kernels;
        this.weights = weights.clone();
        this.bias = bias == null ? new float[outChannels] : bias.clone();
        this.window = window;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groupIn = inChannels / group;
        this.groupOut = outChannels / group;
        this.tile = Math.max(1, Math.min(Math.min(window.outH() * window.outW(), Int8Conv2d.MAX_TILE), TILE_FLOATS / k));
        this.activation = activation;
    }

    public long weightBytes() {
        return 4L * (weights.length + bias.length);
    }

    /** Scratch floats each concurrent caller of {@link #run} must pass. */
    public int scratchFloats() {
        return groupIn == 1 ? 0 : tile * k + tile * outChannels;
    }

    /** As {@link Int8Conv2d#run}, in fp32; the accumulators live in the scratch too. */
    public void run(float[] x, int xOff, float[] y, int yOff, int batch, int from, int to, float[] scratch, int scratchOff) {
        int inPlane = window.inH() * window.inW();
        int pixels = window.outH() * window.outW();
        int accOff = scratchOff + tile * k;
        for (int n = 0; n < batch; n++) {
            int xn = xOff + n * inChannels * inPlane;
            int yn = yOff + n * outChannels * pixels;
            if (groupIn == 1) {
                for (int c = from; c < to; c++) {
                    depthwiseChannel(x, xn + c / groupOut * inPlane, y, yn + c * pixels, c);
                }
                continue;
            }
            for (int g = from / groupOut; g * groupOut < to; g++) {
                int rowFrom = Math.max(from, g * groupOut), rowTo = Math.min(to, (g + 1) * groupOut);
                for (int p0 = 0; p0 < pixels; p0 += tile) {
                    int count = Math.min(tile, pixels - p0);
                    gather(x, xn + g * groupIn * inPlane, p0, count, scratch, scratchOff);
                    // accumulators at [p][c − rowFrom]: this caller's own, in its scratch
                    kernels.gemmFloat(weights, rowFrom * k, k, 0, rowTo - rowFrom, scratch, scratchOff, k, count,
                            scratch, accOff, rowTo - rowFrom);
                    for (int c = rowFrom; c < rowTo; c++) {
                        int yc = yn + c * pixels + p0;
                        for (int p = 0; p < count; p++) {
                            y[yc + p] = activation.clamp(scratch[accOff + p * (rowTo - rowFrom) + c - rowFrom] + bias[c]);
                        }
                    }
                }
            }
        }
    }

    private void gather(float[] x, int xg, int p0, int count, float[] dst, int dstOff) {
        int inH = window.inH(), inW = window.inW(), outW = window.outW();
        int kh = window.kh(), kw = window.kw();
        int d = dstOff;
        for (int p = p0; p < p0 + count; p++) {
            int iy0 = p / outW * window.sh() - window.padTop();
            int ix0 = p % outW * window.sw() - window.padLeft();
            for (int ic = 0; ic < groupIn; ic++) {
                int plane = xg + ic * inH * inW;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = iy0 + ky * window.dh();
                    boolean rowInside = iy >= 0 && iy < inH;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ix0 + kx * window.dw();
                        dst[d++] = rowInside && ix >= 0 && ix < inW ? x[plane + iy * inW + ix] : 0f;
                    }
                }
            }
        }
    }

    /** One channel of a depthwise convolution; windows wholly inside the input skip the bounds checks. */
    private void depthwiseChannel(float[] x, int plane, float[] y, int yc, int c) {
        int inH = window.inH(), inW = window.inW(), outH = window.outH(), outW = window.outW();
        int kh = window.kh(), kw = window.kw(), dh = window.dh(), dw = window.dw();
        int w0 = c * k;
        for (int oy = 0; oy < outH; oy++) {
            int iy0 = oy * window.sh() - window.padTop();
            boolean rowsInside = iy0 >= 0 && iy0 + dh * (kh - 1) < inH;
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * window.sw() - window.padLeft();
                float sum = 0f;
                if (rowsInside && ix0 >= 0 && ix0 + dw * (kw - 1) < inW) {
                    for (int ky = 0; ky < kh; ky++) {
                        int row = plane + (iy0 + ky * dh) * inW + ix0;
                        for (int kx = 0; kx < kw; kx++) {
                            sum += weights[w0 + ky * kw + kx] * x[row + kx * dw];
                        }
                    }
                } else {
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = iy0 + ky * dh;
                        if (iy < 0 || iy >= inH) {
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ix0 + kx * dw;
                            if (ix >= 0 && ix < inW) {
                                sum += weights[w0 + ky * kw + kx] * x[plane + iy * inW + ix];
                            }
                        }
                    }
                }
                y[yc + oy * outW + ox] = activation.clamp(sum + bias[c]);
            }
        }
    }
}
