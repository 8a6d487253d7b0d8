package dev.pipit.runtime.kernel;

import java.util.Arrays;

/** Plain loops: the fallback when the Vector API is unavailable, and the reference it is tested against. */
final class ScalarKernels implements VectorKernels {

    @Override
    public String name() {
        return "scalar";
    }

    /** Row-major: plain loops walk it contiguously. */
    @Override
    public boolean packsInt8() {
        return false;
    }

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        int sum = 0;
        for (int k = 0; k < n; k++) {
            sum += a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @Override
    public float dotFloat(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int k = 0; k < n; k++) {
            sum += a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @Override
    public void gemvInt8(byte[] w, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dotInt8(w, r * cols, x, xOff, cols);
        }
    }

    @Override
    public void gemvFloat(float[] w, int cols, int rowFrom, int rowTo, float[] x, int xOff, float[] out, int outOff) {
        for (int r = rowFrom; r < rowTo; r++) {
            out[outOff + r] = dotFloat(w, r * cols, x, xOff, cols);
        }
    }

    @Override
    public void gemmInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride) {
        for (int s = 0; s < samples; s++) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + s * outStride + r] = dotInt8(w, wOff + r * cols, x, xOff + s * xStride, cols);
            }
        }
    }

    @Override
    public void gemmFloat(float[] w, int wOff, int cols, int rowFrom, int rowTo, float[] x, int xOff, int xStride, int samples,
                          float[] out, int outOff, int outStride) {
        for (int s = 0; s < samples; s++) {
            for (int r = rowFrom; r < rowTo; r++) {
                out[outOff + s * outStride + r] = dotFloat(w, wOff + r * cols, x, xOff + s * xStride, cols);
            }
        }
    }

    @Override
    public void gemvInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        gemmInt8Packed(w, quads, cols, rowFrom, rowTo, x, xOff, 0, 1, out, outOff, 0);
    }

    @Override
    public void gemmInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                               int[] out, int outOff, int outStride) {
        for (int s = 0; s < samples; s++) {
            for (int r = rowFrom; r < rowTo; r++) {
                int row = Int8Packing.rowOffset(r, quads), xs = xOff + s * xStride, sum = 0;
                for (int k = 0; k < cols; k++) {
                    sum += w[row + k / 4 * Int8Packing.QUAD_BYTES + k % 4] * x[xs + k];
                }
                out[outOff + s * outStride + r] = sum;
            }
        }
    }

    /** Accumulators in natural order: {@code acc[accOff + c·stride + p]}. */
    @Override
    public void convInt8(byte[] w, int wOff, int k, int channels, byte[] patch, int patchOff, int stride, int[] acc, int accOff) {
        for (int c = 0; c < channels; c++) {
            int a = accOff + c * stride;
            Arrays.fill(acc, a, a + stride, 0);
            for (int t = 0; t < k; t++) {
                int wt = w[wOff + c * k + t], row = patchOff + t * stride;
                for (int p = 0; p < stride; p++) {
                    acc[a + p] += wt * patch[row + p];
                }
            }
        }
    }

    @Override
    public void requantizeInt8(int[] acc, int accOff, int stride, int channels, Int8OutputStage stage, int channel0, int pixels,
                               byte[] y, int yOff, int yStride) {
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                y[yOff + c * yStride + p] = stage.apply(channel0 + c, acc[accOff + c * stride + p]);
            }
        }
    }

    @Override
    public void maxPool2x2Int8(byte[] x, int xOff, int inW, int outH, int outW, byte[] y, int yOff) {
        for (int oy = 0; oy < outH; oy++) {
            int r0 = xOff + 2 * oy * inW, r1 = r0 + inW, yr = yOff + oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                y[yr + ox] = (byte) Math.max(Math.max(x[r0 + 2 * ox], x[r0 + 2 * ox + 1]), Math.max(x[r1 + 2 * ox], x[r1 + 2 * ox + 1]));
            }
        }
    }

    @Override
    public void convFloat(float[] w, int wOff, int k, int channels, float[] patch, int patchOff, int stride, float[] bias, int biasOff,
                          float min, float max, int pixels, float[] y, int yOff, int yStride) {
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                float sum = 0f;
                for (int t = 0; t < k; t++) {
                    sum += w[wOff + c * k + t] * patch[patchOff + t * stride + p];
                }
                y[yOff + c * yStride + p] = Math.min(max, Math.max(min, sum + bias[biasOff + c]));
            }
        }
    }
}
