package dev.pipit.runtime.kernel;

/**
 * A 2-D sliding window over an {@code inH × inW} plane: kernel size, strides, padding (top, left, bottom,
 * right) and dilations, as CONV_2D and the pools use it. Output sizes follow ONNX / TFLite without
 * ceil mode: {@code (in + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride + 1}. Pads are
 * smaller than the window, so every undilated window overlaps the input (a pool never averages nothing).
 */
public record Window2d(int inH, int inW, int kh, int kw, int sh, int sw,
                       int padTop, int padLeft, int padBottom, int padRight, int dh, int dw) {

    public Window2d {
        if (inH < 1 || inW < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException("input, kernel, strides and dilations must be positive: input "
                    + inH + "x" + inW + ", kernel " + kh + "x" + kw + ", strides " + sh + "," + sw + ", dilations " + dh + "," + dw);
        }
        int extentH = dh * (kh - 1) + 1, extentW = dw * (kw - 1) + 1;
        if (Math.min(Math.min(padTop, padLeft), Math.min(padBottom, padRight)) < 0
                || Math.max(padTop, padBottom) >= extentH || Math.max(padLeft, padRight) >= extentW) {
            throw new IllegalArgumentException("pads " + padTop + "," + padLeft + "," + padBottom + "," + padRight
                    + " must be non-negative and smaller than the " + extentH + "x" + extentW + " window");
        }
        if (inH + padTop + padBottom < dh * (kh - 1) + 1 || inW + padLeft + padRight < dw * (kw - 1) + 1) {
            throw new IllegalArgumentException("the " + kh + "x" + kw + " window (dilations " + dh + "," + dw
                    + ") does not fit the padded " + inH + "x" + inW + " input");
        }
    }

    /** Without dilation. */
    public static Window2d of(int inH, int inW, int kh, int kw, int sh, int sw, int padTop, int padLeft, int padBottom, int padRight) {
        return new Window2d(inH, inW, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, 1, 1);
    }

    public int outH() {
        return (inH + padTop + padBottom - dh * (kh - 1) - 1) / sh + 1;
    }

    public int outW() {
        return (inW + padLeft + padRight - dw * (kw - 1) - 1) / sw + 1;
    }
}
