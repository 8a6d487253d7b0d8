package dev.pipit.runtime.kernel;

/**
 * Max pooling over NCHW activations; padded positions never win. Int8 needs equal input and output
 * quantization: the maximum commutes with the quantization's monotonic map.
 */
public final class MaxPool2d {

    private final Window2d window;
    private final int channels;

    public MaxPool2d(Window2d window, int channels) {
        this.window = window;
        this.channels = channels;
    }

    public void run(float[] x, int xOff, float[] y, int yOff, int batch) {
        int inH = window.inH(), inW = window.inW(), outH = window.outH(), outW = window.outW();
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
