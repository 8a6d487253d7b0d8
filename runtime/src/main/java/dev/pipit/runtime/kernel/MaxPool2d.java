package dev.pipit.runtime.kernel;

/**
 * Max pooling over NCHW activations; padded positions never win. Int8 needs equal input and output
 * quantization: the maximum commutes with the quantization's monotonic map. The common 2×2 window with
 * stride 2 and no padding has its own loop (no window clamping per output; int8 through
 * {@link VectorKernels#maxPool2x2Int8}), as CNNs pool after each convolution.
 */
public final class MaxPool2d {

    private final VectorKernels kernels;
    private final Window2d window;
    private final int channels;

    private final boolean twoByTwo;

    public MaxPool2d(VectorKernels kernels, Window2d window, int channels) {
        this.kernels = kernels;
        this.window = window;
        this.channels = channels;
        this.twoByTwo = window.kh() == 2 && window.kw() == 2 && window.sh() == 2 && window.sw() == 2
                && window.padTop() + window.padLeft() + window.padBottom() + window.padRight() == 0;
    }

    public void run(float[] x, int xOff, float[] y, int yOff, int batch) {
        int inH = window.inH(), inW = window.inW(), outH = window.outH(), outW = window.outW();
        if (twoByTwo) {
            for (int plane = 0; plane < batch * channels; plane++) {
                for (int oy = 0; oy < outH; oy++) {
                    int r0 = xOff + plane * inH * inW + 2 * oy * inW, r1 = r0 + inW, yr = yOff + (plane * outH + oy) * outW;
                    for (int ox = 0; ox < outW; ox++) {
                        y[yr + ox] = Math.max(Math.max(x[r0 + 2 * ox], x[r0 + 2 * ox + 1]), Math.max(x[r1 + 2 * ox], x[r1 + 2 * ox + 1]));
                    }
                }
            }
            return;
        }
        for (int plane = 0; plane < batch * channels; plane++) {
            int xp = xOff + plane * inH * inW, yp = yOff + plane * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int y0 = Math.max(0, oy * window.sh() - window.padTop()), y1 = Math.min(inH, oy * window.sh() - window.padTop() + window.kh());
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = Math.max(0, ox * window.sw() - window.padLeft()), x1 = Math.min(inW, ox * window.sw() - window.padLeft() + window.kw());
                    float max = Float.NEGATIVE_INFINITY;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            max = Math.max(max, x[xp + iy * inW + ix]);
                        }
                    }
                    y[yp + oy * outW + ox] = max;
                }
            }
        }
    }

    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch) {
        int inH = window.inH(), inW = window.inW(), outH = window.outH(), outW = window.outW();
        if (twoByTwo) {
            for (int plane = 0; plane < batch * channels; plane++) {
                kernels.maxPool2x2Int8(x, xOff + plane * inH * inW, inW, outH, outW, y, yOff + plane * outH * outW);
            }
            return;
        }
        for (int plane = 0; plane < batch * channels; plane++) {
            int xp = xOff + plane * inH * inW, yp = yOff + plane * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                int y0 = Math.max(0, oy * window.sh() - window.padTop()), y1 = Math.min(inH, oy * window.sh() - window.padTop() + window.kh());
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = Math.max(0, ox * window.sw() - window.padLeft()), x1 = Math.min(inW, ox * window.sw() - window.padLeft() + window.kw());
                    int max = Byte.MIN_VALUE;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            max = Math.max(max, x[xp + iy * inW + ix]);
                        }
                    }
                    y[yp + oy * outW + ox] = (byte) max;
                }
            }
        }
    }
}
