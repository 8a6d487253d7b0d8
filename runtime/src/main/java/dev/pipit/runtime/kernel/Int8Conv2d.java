package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;

/**
 * Int8 2-D convolution over NCHW activations with TFLite's quantized semantics (as
 * {@link Int8FullyConnected}: per-output-channel symmetric weights, int32 bias, fixed-point
 * requantization, fused activation range); padding holds the input zero point, so it contributes
 * nothing.
 *
 * <p>Weights are {@code [out, (in / group)·kh·kw]} rows in any {@link Int8Matrix} form. A tile of output
 * pixels (at most 64) is gathered into caller-owned scratch (a small im2col: at most {@link #TILE_BYTES} bytes) and
 * multiplied by the group's weight rows, so each gathered input byte is shared by every output channel
 * of the call and each weight row by every pixel of the tile. Depthwise convolutions (one input channel
 * per group) with dense weights skip the gather: nine-odd taps per output are walked directly.
 */
public final class Int8Conv2d {

    /** Upper bound of an im2col tile: it and a weight block stay in L1. */
    static final int TILE_BYTES = 16 * 1024;
    /** Most pixels per tile: bounds the accumulators (tile × output channels) for small kernels. */
    static final int MAX_TILE = 64;

    private final VectorKernels kernels;
    private final Int8Matrix weights;
    private final Window2d window;
    private final int inChannels;
    private final int outChannels;
    private final int groupIn;  // input channels per group
    private final int groupOut; // output channels per group
    private final int k;
    private final int tile;
    private final byte padValue;
    private final Int8OutputStage stage;
    private final byte[] depthwise; // row-major taps [out, kh·kw] of a depthwise convolution, else null

    /**
     * @param weights {@code [out, (inChannels / group)·kh·kw]}, rows in [-127, 127]
     * @param weightQuantization per tensor, or per output channel; zero points 0
     * @param bias int32 [out], or null
     */
    public Int8Conv2d(VectorKernels kernels, Int8Matrix weights, Quantization weightQuantization, int[] bias,
                      int inChannels, int group, Window2d window, Quantization input, Quantization output,
                      ActivationRange activation) {
        if (group < 1 || inChannels % group != 0 || weights.rows() % group != 0) {
            throw new IllegalArgumentException("group " + group + " must divide the " + inChannels
                    + " input and " + weights.rows() + " output channels");
        }
        if (weights.cols() != inChannels / group * window.kh() * window.kw()) {
            throw new IllegalArgumentException("weight rows hold " + weights.cols() + " values, expected (in / group)·kh·kw = "
                    + inChannels / group * window.kh() * window.kw());
        }
        this.kernels = kernels;
        this.weights = weights;
        this.window = window;
        this.inChannels = inChannels;
        this.outChannels = weights.rows();
        this.groupIn = inChannels / group;
        this.groupOut = outChannels / group;
        this.k = weights.cols();
        this.tile = Math.max(1, Math.min(Math.min(window.outH() * window.outW(), MAX_TILE), TILE_BYTES / k));
        this.padValue = (byte) input.zeroPoint();
        this.stage = new Int8OutputStage(weights, weightQuantization, bias, input, output, activation);
        this.depthwise = groupIn == 1 && weights instanceof DenseInt8Matrix d ? taps(d) : null;
    }

    /** A copy in row-major order (the dense matrix keeps a packed layout): a few bytes per channel. */
    private static byte[] taps(DenseInt8Matrix d) {
        byte[] taps = new byte[d.rows() * d.cols()];
        for (int r = 0; r < d.rows(); r++) {
            for (int t = 0; t < d.cols(); t++) {
                taps[r * d.cols() + t] = d.get(r, t);
            }
        }
        return taps;
    }

    /** Bytes of the constants: the weights in their stored form, four per (folded) bias. */
    public long weightBytes() {
        return weights.bytes() + 4L * outChannels;
    }

    /** Scratch bytes each concurrent caller of {@link #run} must pass. */
    public int scratchBytes() {
        return depthwise != null ? 0 : tile * k + weights.scratchBytes();
    }

    /** Accumulator ints {@link #run} needs; callers splitting the channels may share one array. */
    public int accumulators() {
        return depthwise != null ? 0 : tile * outChannels;
    }

    /**
     * Output channels {@code [from, to)} of {@code batch} samples: {@code x} holds {@code [batch, in, h, w]}
     * from {@code xOff}, {@code y} receives {@code [batch, out, oh, ow]} from {@code yOff}.
     */
    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch, int from, int to, int[] acc,
                    byte[] scratch, int scratchOff) {
        int inPlane = window.inH() * window.inW();
        int pixels = window.outH() * window.outW();
        for (int n = 0; n < batch; n++) {
            int xn = xOff + n * inChannels * inPlane;
            int yn = yOff + n * outChannels * pixels;
            if (depthwise != null) {
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
                    weights.multiply(kernels, rowFrom, rowTo, scratch, scratchOff, k, count, acc, 0, outChannels,
                            scratch, scratchOff + tile * k);
                    for (int c = rowFrom; c < rowTo; c++) {
                        int yc = yn + c * pixels + p0;
                        for (int p = 0; p < count; p++) {
                            y[yc + p] = stage.apply(c, acc[p * outChannels + c]);
                        }
                    }
                }
            }
        }
    }

    /** Patches of pixels {@code [p0, p0 + count)}: {@code count × k} bytes, the group's channels from {@code xg}. */
    private void gather(byte[] x, int xg, int p0, int count, byte[] dst, int dstOff) {
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
                        dst[d++] = rowInside && ix >= 0 && ix < inW ? x[plane + iy * inW + ix] : padValue;
                    }
                }
            }
        }
    }

    /** One channel of a depthwise convolution; windows wholly inside the input skip the bounds checks. */
    private void depthwiseChannel(byte[] x, int plane, byte[] y, int yc, int c) {
        int inH = window.inH(), inW = window.inW(), outH = window.outH(), outW = window.outW();
        int kh = window.kh(), kw = window.kw(), dh = window.dh(), dw = window.dw();
        int taps = c * kh * kw;
        for (int oy = 0; oy < outH; oy++) {
            int iy0 = oy * window.sh() - window.padTop();
            boolean rowsInside = iy0 >= 0 && iy0 + dh * (kh - 1) < inH;
            for (int ox = 0; ox < outW; ox++) {
                int ix0 = ox * window.sw() - window.padLeft();
                int sum = 0;
                if (rowsInside && ix0 >= 0 && ix0 + dw * (kw - 1) < inW) {
                    for (int ky = 0; ky < kh; ky++) {
                        int row = plane + (iy0 + ky * dh) * inW + ix0;
                        for (int kx = 0; kx < kw; kx++) {
                            sum += depthwise[taps + ky * kw + kx] * x[row + kx * dw];
                        }
                    }
                } else {
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = iy0 + ky * dh;
                        boolean rowInside = iy >= 0 && iy < inH;
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ix0 + kx * dw;
                            int v = rowInside && ix >= 0 && ix < inW ? x[plane + iy * inW + ix] : padValue;
                            sum += depthwise[taps + ky * kw + kx] * v;
                        }
                    }
                }
                y[yc + oy * outW + ox] = stage.apply(c, sum);
            }
        }
    }
}
