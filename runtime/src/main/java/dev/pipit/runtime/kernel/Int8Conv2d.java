package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import java.util.Arrays;

/**
 * Int8 2-D convolution over NCHW activations with TFLite's quantized semantics (as
 * {@link Int8FullyConnected}: per-output-channel symmetric weights, int32 bias, fixed-point
 * requantization, fused activation range); padding holds the input zero point, so it contributes
 * nothing.
 *
 * <p>Weights are {@code [out, (in / group)·kh·kw]} rows in any {@link Int8Matrix} form. Dense weights run
 * the pixel kernels ({@link VectorKernels#convInt8}): a tile of output pixels is laid out tap-major
 * ({@code [k][pixels]}) in caller-owned scratch (with stride 1 each tap's row is one copy of the padded
 * input, see {@link #pixelSpan}; strided convolutions gather per pixel), multiplied with vectors across
 * pixels, so small K (a first layer's 9 taps) and depthwise convolutions vectorise as well as large K,
 * and requantized with vectors. Compressed weights multiply through
 * {@link Int8Matrix#multiply}: a pixel-major im2col tile (at most {@link #TILE_BYTES} bytes) times the
 * group's weight rows.
 */
public final class Int8Conv2d {

    /** Upper bound of an im2col tile: it and a weight block stay in L1. */
    static final int TILE_BYTES = 16 * 1024;
    /** Most pixels per tile: bounds the accumulators (tile × output channels) for small kernels. */
    static final int MAX_TILE = 64;
    /** Upper bound of the pixel kernels' accumulators per group (ints): they stay in L1 until requantized. */
    private static final int TILE_ACCUMULATORS = 4096;

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
    private final byte[] rowMajor; // dense weights [out, k] for the pixel kernels, else null
    private final int stride;      // pixels per pixel-kernel tile, a multiple of PIXEL_BLOCK
    private final boolean direct;  // stride 1: taps read whole rows of the padded input, no per-pixel gather
    private final int paddedW;     // row pitch of the padded input and of the direct path's pixels
    private final int paddedPlane; // bytes of one padded input channel, 0 when the input needs no padding
    private final int paddedSlots; // samples whose padded input the direct path holds at once (a tile spans that many at most)

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
        this.rowMajor = weights instanceof DenseInt8Matrix d ? rowMajor(d) : null;
        this.direct = window.sh() == 1 && window.sw() == 1;
        this.paddedW = window.inW() + window.padLeft() + window.padRight();
        boolean padded = window.padTop() + window.padLeft() + window.padBottom() + window.padRight() > 0;
        this.paddedPlane = direct && padded ? (window.inH() + window.padTop() + window.padBottom()) * paddedW : 0;
        int block = VectorKernels.PIXEL_BLOCK;
        int blocks = Math.min(Math.min(TILE_BYTES / (block * k), TILE_ACCUMULATORS / (block * groupOut)),
                (pixelSpan() + block - 1) / block);
        this.stride = block * Math.max(1, blocks);
        this.paddedSlots = paddedPlane > 0 ? (stride - 1) / pixelSpan() + 2 : 0;
    }

    /**
     * Pixels the dense path computes per channel and sample. The direct path runs over the padded input's row
     * pitch, pixel {@code oy · paddedW + ox}, so each tap's row is one contiguous run of the padded input; the
     * {@code paddedW − outW} pixels past each output row are computed and dropped. Its tiles run over the
     * samples' spans back to back, so a batch rounds up to whole pixel blocks once, not once per sample.
     */
    private int pixelSpan() {
        return direct ? (window.outH() - 1) * paddedW + window.outW() : window.outH() * window.outW();
    }

    /** A row-major copy (the dense matrix may keep a packed layout for the GEMMs). */
    private static byte[] rowMajor(DenseInt8Matrix d) {
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
        return rowMajor == null ? tile * k + weights.scratchBytes()
                : k * stride + (direct ? paddedSlots * groupIn * paddedPlane + groupOut * stride : 0);
    }

    /** Accumulator ints {@link #run} needs; callers splitting the channels may share one array. */
    public int accumulators() {
        return rowMajor != null ? stride * outChannels : tile * outChannels;
    }

    /**
     * Output channels {@code [from, to)} of {@code batch} samples: {@code x} holds {@code [batch, in, h, w]}
     * from {@code xOff}, {@code y} receives {@code [batch, out, oh, ow]} from {@code yOff}.
     */
    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch, int from, int to, int[] acc,
                    byte[] scratch, int scratchOff) {
        int inPlane = window.inH() * window.inW();
        int pixels = window.outH() * window.outW();
        if (rowMajor != null && direct) {
            for (int g = from / groupOut; g * groupOut < to; g++) {
                runDirect(x, xOff + g * groupIn * inPlane, y, yOff, batch, Math.max(from, g * groupOut), Math.min(to, (g + 1) * groupOut),
                        acc, scratch, scratchOff);
            }
            return;
        }
        for (int n = 0; n < batch; n++) {
            int xn = xOff + n * inChannels * inPlane;
            int yn = yOff + n * outChannels * pixels;
            for (int g = from / groupOut; g * groupOut < to; g++) {
                int rowFrom = Math.max(from, g * groupOut), rowTo = Math.min(to, (g + 1) * groupOut);
                if (rowMajor != null) {
                    runDense(x, xn + g * groupIn * inPlane, y, yn, rowFrom, rowTo, acc, scratch, scratchOff);
                    continue;
                }
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

    /** Channels {@code [rowFrom, rowTo)} of one group of one sample through the pixel kernels, strided; {@code xg}: the group's input. */
    private void runDense(byte[] x, int xg, byte[] y, int yn, int rowFrom, int rowTo, int[] acc, byte[] scratch, int scratchOff) {
        int pixels = window.outH() * window.outW(), channels = rowTo - rowFrom;
        for (int p0 = 0; p0 < pixels; p0 += stride) {
            int count = Math.min(stride, pixels - p0);
            gatherTaps(x, xg, p0, count, scratch, scratchOff);
            kernels.convInt8(rowMajor, rowFrom * k, k, channels, scratch, scratchOff, stride, acc, rowFrom * stride);
            kernels.requantizeInt8(acc, rowFrom * stride, stride, channels, stage, rowFrom, count, y, yn + rowFrom * pixels + p0,
                    pixels);
        }
    }

    /**
     * Channels {@code [rowFrom, rowTo)} of one group of every sample, stride 1: the tiles run over the samples'
     * pixel spans back to back (pixel {@code q} is sample {@code q / span}'s pixel {@code q % span}), each tap
     * of a tile one copy per sample it touches; requantized into scratch, then each output row's valid pixels
     * into {@code y}. {@code xg}: the group's input in sample 0.
     */
    private void runDirect(byte[] x, int xg, byte[] y, int yOff, int batch, int rowFrom, int rowTo, int[] acc, byte[] scratch,
                           int scratchOff) {
        int pixels = window.outH() * window.outW(), span = pixelSpan(), channels = rowTo - rowFrom, outW = window.outW();
        int inSample = inChannels * window.inH() * window.inW(), outSample = outChannels * pixels;
        int planes = scratchOff + k * stride, out = planes + paddedSlots * groupIn * paddedPlane;
        int padded = 0; // samples padded so far, into slot n % paddedSlots
        for (int q0 = 0, total = batch * span; q0 < total; q0 += stride) {
            int count = Math.min(stride, total - q0);
            for (int q = q0; q < q0 + count; ) { // the tile's taps, one run per sample
                int n = q / span, p = q % span, run = Math.min(span - p, q0 + count - q);
                if (paddedPlane > 0) {
                    for (; padded <= n; padded++) {
                        pad(x, xg + padded * inSample, scratch, planes + padded % paddedSlots * groupIn * paddedPlane);
                    }
                    copyTaps(scratch, planes + n % paddedSlots * groupIn * paddedPlane, p, run, scratch, scratchOff + q - q0);
                } else {
                    copyTaps(x, xg + n * inSample, p, run, scratch, scratchOff + q - q0);
                }
                q += run;
            }
            kernels.convInt8(rowMajor, rowFrom * k, k, channels, scratch, scratchOff, stride, acc, rowFrom * stride);
            kernels.requantizeInt8(acc, rowFrom * stride, stride, channels, stage, rowFrom, count, scratch, out, stride);
            for (int q = q0; q < q0 + count; ) { // pixel q is output (q % span / paddedW, q % span % paddedW) of sample q / span
                int n = q / span, p = q % span, ox = p % paddedW, run = Math.min(Math.min(paddedW - ox, span - p), q0 + count - q);
                if (ox < outW) {
                    int yp = yOff + n * outSample + rowFrom * pixels + p / paddedW * outW + ox, len = Math.min(run, outW - ox);
                    for (int c = 0; c < channels; c++) {
                        System.arraycopy(scratch, out + c * stride + q - q0, y, yp + c * pixels, len);
                    }
                }
                q += run;
            }
        }
    }

    /** The group's input channels with their padding (the input zero point) around them, {@code paddedPlane} bytes each. */
    private void pad(byte[] x, int xg, byte[] dst, int dstOff) {
        int inH = window.inH(), inW = window.inW();
        Arrays.fill(dst, dstOff, dstOff + groupIn * paddedPlane, padValue);
        for (int ic = 0; ic < groupIn; ic++) {
            for (int iy = 0; iy < inH; iy++) {
                System.arraycopy(x, xg + (ic * inH + iy) * inW, dst,
                        dstOff + ic * paddedPlane + (iy + window.padTop()) * paddedW + window.padLeft(), inW);
            }
        }
    }

    /**
     * The direct path's taps of one sample's pixels {@code [p0, p0 + count)}: one copy per tap from its (padded)
     * input at {@code srcOff}, tap {@code t} to {@code dst[dstOff + t·stride]}.
     */
    private void copyTaps(byte[] src, int srcOff, int p0, int count, byte[] dst, int dstOff) {
        int plane = paddedPlane > 0 ? paddedPlane : window.inH() * window.inW();
        int t = 0;
        for (int ic = 0; ic < groupIn; ic++) {
            for (int ky = 0; ky < window.kh(); ky++) {
                for (int kx = 0; kx < window.kw(); kx++, t++) {
                    System.arraycopy(src, srcOff + ic * plane + ky * window.dh() * paddedW + kx * window.dw() + p0, dst,
                            dstOff + t * stride, count);
                }
            }
        }
    }

    /**
     * Taps of pixels {@code [p0, p0 + count)} of a strided convolution, tap-major: row {@code t} (input
     * channel, ky, kx) at {@code dst[dstOff + t·stride]}.
     */
    private void gatherTaps(byte[] x, int xg, int p0, int count, byte[] dst, int dstOff) {
        int inH = window.inH(), inW = window.inW(), outW = window.outW(), sw = window.sw();
        int t = 0;
        for (int ic = 0; ic < groupIn; ic++) {
            int plane = xg + ic * inH * inW;
            for (int ky = 0; ky < window.kh(); ky++) {
                for (int kx = 0; kx < window.kw(); kx++, t++) {
                    int d = dstOff + t * stride;
                    for (int p = p0; p < p0 + count; ) {
                        int oy = p / outW, ox = p % outW;
                        int n = Math.min(outW - ox, p0 + count - p); // the rest of this output row
                        int iy = oy * window.sh() - window.padTop() + ky * window.dh();
                        int ix0 = ox * sw - window.padLeft() + kx * window.dw();
                        if (iy < 0 || iy >= inH) {
                            Arrays.fill(dst, d, d + n, padValue);
                        } else {
                            int row = plane + iy * inW;
                            for (int j = 0; j < n; j++) {
                                int ix = ix0 + j * sw;
                                dst[d + j] = ix >= 0 && ix < inW ? x[row + ix] : padValue;
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
