package dev.pipit.runtime.kernel;

import java.util.Arrays;

/**
 * fp32 2-D convolution over NCHW activations, structured as {@link Int8Conv2d}'s dense path: tap-major
 * tiles of output pixels in caller-owned scratch, multiplied by {@link VectorKernels#convFloat} with vectors
 * across pixels (so any K, depthwise included, vectorises), bias and the fused activation's range applied
 * in the kernel.
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
    private final int stride; // pixels per tile, a multiple of PIXEL_BLOCK
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
        int block = VectorKernels.PIXEL_BLOCK;
        this.stride = block * Math.max(1, Math.min(TILE_FLOATS / (block * k), (window.outH() * window.outW() + block - 1) / block));
        this.activation = activation;
    }

    public long weightBytes() {
        return 4L * (weights.length + bias.length);
    }

    /** Scratch floats each concurrent caller of {@link #run} must pass. */
    public int scratchFloats() {
        return k * stride;
    }

    /** As {@link Int8Conv2d#run}, in fp32. */
    public void run(float[] x, int xOff, float[] y, int yOff, int batch, int from, int to, float[] scratch, int scratchOff) {
        int inPlane = window.inH() * window.inW();
        int pixels = window.outH() * window.outW();
        for (int n = 0; n < batch; n++) {
            int xn = xOff + n * inChannels * inPlane;
            int yn = yOff + n * outChannels * pixels;
            for (int g = from / groupOut; g * groupOut < to; g++) {
                int rowFrom = Math.max(from, g * groupOut), rowTo = Math.min(to, (g + 1) * groupOut);
                for (int p0 = 0; p0 < pixels; p0 += stride) {
                    int count = Math.min(stride, pixels - p0);
                    gatherTaps(x, xn + g * groupIn * inPlane, p0, count, scratch, scratchOff);
                    kernels.convFloat(weights, rowFrom * k, k, rowTo - rowFrom, scratch, scratchOff, stride, bias, rowFrom,
                            activation.min(), activation.max(), count, y, yn + rowFrom * pixels + p0, pixels);
                }
            }
        }
    }

    /** As {@link Int8Conv2d}'s: tap {@code t}'s row of the tile at {@code dst[dstOff + t·stride]}, padding 0. */
    private void gatherTaps(float[] x, int xg, int p0, int count, float[] dst, int dstOff) {
        int inH = window.inH(), inW = window.inW(), outW = window.outW(), sw = window.sw();
        int t = 0;
        for (int ic = 0; ic < groupIn; ic++) {
            int plane = xg + ic * inH * inW;
            for (int ky = 0; ky < window.kh(); ky++) {
                for (int kx = 0; kx < window.kw(); kx++, t++) {
                    int d = dstOff + t * stride;
                    for (int p = p0; p < p0 + count; ) {
                        int oy = p / outW, ox = p % outW;
                        int n = Math.min(outW - ox, p0 + count - p);
                        int iy = oy * window.sh() - window.padTop() + ky * window.dh();
                        int ix0 = ox * sw - window.padLeft() + kx * window.dw();
                        if (iy < 0 || iy >= inH) {
                            Arrays.fill(dst, d, d + n, 0f);
                        } else if (sw == 1) {
                            int lo = Math.min(n, Math.max(0, -ix0)), hi = Math.max(lo, Math.min(n, inW - ix0));
                            Arrays.fill(dst, d, d + lo, 0f);
                            if (hi > lo) {
                                System.arraycopy(x, plane + iy * inW + ix0 + lo, dst, d + lo, hi - lo);
                            }
                            Arrays.fill(dst, d + hi, d + n, 0f);
                        } else {
                            int row = plane + iy * inW;
                            for (int j = 0; j < n; j++) {
                                int ix = ix0 + j * sw;
                                dst[d + j] = ix >= 0 && ix < inW ? x[row + ix] : 0f;
                            }
                        }
                        d += n;
                        p += n;
                    }
                }
            }
        }
    }
}
