package dev.pipit.runtime.kernel;

/**
 * Average pooling over NCHW activations, counting only the window's elements inside the input (ONNX
 * {@code count_include_pad = 0}, as TFLite). Int8 as TFLite's reference: equal input and output
 * quantization, the sum of the raw values divided by the count, rounded half away from zero.
 */
public final class AveragePool2d {

    private final Window2d window;
    private final int channels;

    public AveragePool2d(Window2d window, int channels) {
        if (window.dh() != 1 || window.dw() != 1) {
            throw new IllegalArgumentException("average pooling takes no dilations");
        }
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
                    float sum = 0f;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            sum += x[xp + iy * inW + ix];
                        }
                    }
                    y[yp + oy * outW + ox] = sum / ((y1 - y0) * (x1 - x0));
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
                    int sum = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            sum += x[xp + iy * inW + ix];
                        }
                    }
                    int count = (y1 - y0) * (x1 - x0);
                    int average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
                    y[yp + oy * outW + ox] = (byte) Math.max(-128, Math.min(127, average));
                }
            }
        }
    }
}
