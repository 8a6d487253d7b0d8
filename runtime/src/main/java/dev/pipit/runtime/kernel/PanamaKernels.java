package dev.pipit.runtime.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.LSHL;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Only {@link VectorKernelsProvider} names this class, reflectively, so the runtime
 * still loads when {@code jdk.incubator.vector} is absent.
 *
 * <p>Int8 dot products follow Lucene's {@code PanamaVectorUtilSupport}: there is no dot-product
 * instruction, so bytes widen to shorts ({@code B2S}) and multiply in 16 bits (cheaper than a 32-bit
 * multiply, notably on AVX-512). Two such products, one per loaded chunk, are added in 16 bits, which
 * weights in [-127, 127] allow (|sum| ≤ 2 · 127 · 128 = 32,512); adjacent 16-bit lanes are then summed
 * into 32-bit lanes with shifts (like {@code pmaddwd}). Every shape stays at or below the preferred
 * width, so 128-bit NEON (Raspberry Pi) runs 64-bit byte, 128-bit short and int vectors.
 *
 * <p>GEMV computes four rows per pass so each activation load and widening is shared by four rows.
 * Species are static finals: C2 only intrinsifies vector code whose species is a constant.
 */
final class PanamaKernels implements VectorKernels {

    /** Vector width in bits: the platform's preferred one, overridable for tests with {@code pipit.vector.bits}. */
    static final int BITS = supportedBits();
    private static final VectorSpecies<Float> FLOATS = species(float.class, BITS);
    private static final VectorSpecies<Integer> INTS = species(int.class, BITS);
    private static final VectorSpecies<Short> SHORTS = species(short.class, BITS);
    private static final VectorSpecies<Byte> BYTES = species(byte.class, BITS / 2); // widen to SHORTS
    private static final int BYTE_STEP = 2 * BYTES.length();                        // two chunks per pass
    private static final int ROWS = 4;

    private static int supportedBits() {
        int bits = Integer.getInteger("pipit.vector.bits", VectorShape.preferredShape().vectorBitSize());
        if (bits < 128) { // the narrowest byte species is 64 bits, half of the short and int width
            throw new UnsupportedOperationException("vector size is " + bits + " bits, below 128");
        }
        return bits;
    }

    private static <E> VectorSpecies<E> species(Class<E> type, int bits) {
        return VectorSpecies.of(type, VectorShape.forBitSize(bits));
    }

    @Override
    public String name() {
        return "panama-" + BITS;
    }

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        int bound = n - n % BYTE_STEP;
        IntVector acc = IntVector.zero(INTS);
        for (int k = 0; k < bound; k += BYTE_STEP) {
            acc = acc.add(pairSums(a, aOff + k, widen(b, bOff + k), widen(b, bOff + k + BYTES.length())));
        }
        int sum = acc.reduceLanes(ADD);
        for (int k = bound; k < n; k++) {
            sum += a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @Override
    public void gemvInt8(byte[] w, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        gemvInt8(w, 0, cols, rowFrom, rowTo, x, xOff, out, outOff);
    }

    private void gemvInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        int bound = cols - cols % BYTE_STEP;
        int r = rowFrom;
        for (; r + ROWS <= rowTo; r += ROWS) {
            int w0 = wOff + r * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
            IntVector acc0 = IntVector.zero(INTS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int k = 0; k < bound; k += BYTE_STEP) {
                ShortVector xa = widen(x, xOff + k);
                ShortVector xb = widen(x, xOff + k + BYTES.length());
                acc0 = acc0.add(pairSums(w, w0 + k, xa, xb));
                acc1 = acc1.add(pairSums(w, w1 + k, xa, xb));
                acc2 = acc2.add(pairSums(w, w2 + k, xa, xb));
                acc3 = acc3.add(pairSums(w, w3 + k, xa, xb));
            }
            int s0 = acc0.reduceLanes(ADD), s1 = acc1.reduceLanes(ADD);
            int s2 = acc2.reduceLanes(ADD), s3 = acc3.reduceLanes(ADD);
            for (int k = bound; k < cols; k++) {
                int xk = x[xOff + k];
                s0 += w[w0 + k] * xk;
                s1 += w[w1 + k] * xk;
                s2 += w[w2 + k] * xk;
                s3 += w[w3 + k] * xk;
            }
            out[outOff + r] = s0;
            out[outOff + r + 1] = s1;
            out[outOff + r + 2] = s2;
            out[outOff + r + 3] = s3;
        }
        for (; r < rowTo; r++) {
            out[outOff + r] = dotInt8(w, wOff + r * cols, x, xOff, cols);
        }
    }

    private static ShortVector widen(byte[] a, int offset) {
        return (ShortVector) ByteVector.fromArray(BYTES, a, offset).convertShape(B2S, SHORTS, 0);
    }

    /** 32-bit lanes, each the sum of four products of {@code w[i..]} with the widened chunks {@code xa, xb}. */
    private static IntVector pairSums(byte[] w, int i, ShortVector xa, ShortVector xb) {
        return pairSums(widen(w, i), widen(w, i + BYTES.length()), xa, xb);
    }

    /** As above with the weight chunks already widened, for reuse across samples. */
    private static IntVector pairSums(ShortVector wa, ShortVector wb, ShortVector xa, ShortVector xb) {
        ShortVector products = wa.mul(xa).add(wb.mul(xb));
        IntVector pairs = products.reinterpretAsInts();
        return pairs.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs.lanewise(ASHR, 16));
    }

    @Override
    public float dotFloat(float[] a, int aOff, float[] b, int bOff, int n) {
        int bound = FLOATS.loopBound(n);
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int k = 0; k < bound; k += FLOATS.length()) {
            acc = FloatVector.fromArray(FLOATS, a, aOff + k).fma(FloatVector.fromArray(FLOATS, b, bOff + k), acc);
        }
        float sum = acc.reduceLanes(ADD);
        for (int k = bound; k < n; k++) {
            sum += a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @Override
    public void gemvFloat(float[] w, int cols, int rowFrom, int rowTo, float[] x, int xOff, float[] out, int outOff) {
        gemvFloat(w, 0, cols, rowFrom, rowTo, x, xOff, out, outOff);
    }

    private void gemvFloat(float[] w, int wOff, int cols, int rowFrom, int rowTo, float[] x, int xOff, float[] out, int outOff) {
        int bound = FLOATS.loopBound(cols);
        int r = rowFrom;
        for (; r + ROWS <= rowTo; r += ROWS) {
            int w0 = wOff + r * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
            FloatVector acc0 = FloatVector.zero(FLOATS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int k = 0; k < bound; k += FLOATS.length()) {
                FloatVector xv = FloatVector.fromArray(FLOATS, x, xOff + k);
                acc0 = FloatVector.fromArray(FLOATS, w, w0 + k).fma(xv, acc0);
                acc1 = FloatVector.fromArray(FLOATS, w, w1 + k).fma(xv, acc1);
                acc2 = FloatVector.fromArray(FLOATS, w, w2 + k).fma(xv, acc2);
                acc3 = FloatVector.fromArray(FLOATS, w, w3 + k).fma(xv, acc3);
            }
            float s0 = acc0.reduceLanes(ADD), s1 = acc1.reduceLanes(ADD);
            float s2 = acc2.reduceLanes(ADD), s3 = acc3.reduceLanes(ADD);
            for (int k = bound; k < cols; k++) {
                float xk = x[xOff + k];
                s0 += w[w0 + k] * xk;
                s1 += w[w1 + k] * xk;
                s2 += w[w2 + k] * xk;
                s3 += w[w3 + k] * xk;
            }
            out[outOff + r] = s0;
            out[outOff + r + 1] = s1;
            out[outOff + r + 2] = s2;
            out[outOff + r + 3] = s3;
        }
        for (; r < rowTo; r++) {
            out[outOff + r] = dotFloat(w, wOff + r * cols, x, xOff, cols);
        }
    }

    /**
     * Blocks of four rows × two samples: each widened weight chunk serves two samples and each widened
     * activation chunk four rows. Rows are the outer loop so a four-row block stays in L1 while every
     * sample passes.
     */
    @Override
    public void gemmInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride) {
        int r = rowFrom;
        for (; r + ROWS <= rowTo; r += ROWS) {
            int s = 0;
            for (; s + 2 <= samples; s += 2) {
                blockInt8(w, wOff + r * cols, cols, r, x, xOff + s * xStride, xOff + (s + 1) * xStride,
                        out, outOff + s * outStride, outOff + (s + 1) * outStride);
            }
            if (s < samples) {
                gemvInt8(w, wOff, cols, r, r + ROWS, x, xOff + s * xStride, out, outOff + s * outStride);
            }
        }
        for (; r < rowTo; r++) {
            for (int s = 0; s < samples; s++) {
                out[outOff + s * outStride + r] = dotInt8(w, wOff + r * cols, x, xOff + s * xStride, cols);
            }
        }
    }

    /** Rows {@code r..r+3} (the first at {@code w0}) of samples at {@code x0} and {@code x1}. */
    private void blockInt8(byte[] w, int w0, int cols, int r, byte[] x, int x0, int x1, int[] out, int o0, int o1) {
        int bound = cols - cols % BYTE_STEP;
        int half = BYTES.length();
        int w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
        IntVector a00 = IntVector.zero(INTS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int k = 0; k < bound; k += BYTE_STEP) {
            ShortVector xa0 = widen(x, x0 + k), xb0 = widen(x, x0 + k + half);
            ShortVector xa1 = widen(x, x1 + k), xb1 = widen(x, x1 + k + half);
            ShortVector wa = widen(w, w0 + k), wb = widen(w, w0 + k + half);
            a00 = a00.add(pairSums(wa, wb, xa0, xb0));
            a01 = a01.add(pairSums(wa, wb, xa1, xb1));
            wa = widen(w, w1 + k);
            wb = widen(w, w1 + k + half);
            a10 = a10.add(pairSums(wa, wb, xa0, xb0));
            a11 = a11.add(pairSums(wa, wb, xa1, xb1));
            wa = widen(w, w2 + k);
            wb = widen(w, w2 + k + half);
            a20 = a20.add(pairSums(wa, wb, xa0, xb0));
            a21 = a21.add(pairSums(wa, wb, xa1, xb1));
            wa = widen(w, w3 + k);
            wb = widen(w, w3 + k + half);
            a30 = a30.add(pairSums(wa, wb, xa0, xb0));
            a31 = a31.add(pairSums(wa, wb, xa1, xb1));
        }
        int s00 = a00.reduceLanes(ADD), s01 = a01.reduceLanes(ADD), s10 = a10.reduceLanes(ADD), s11 = a11.reduceLanes(ADD);
        int s20 = a20.reduceLanes(ADD), s21 = a21.reduceLanes(ADD), s30 = a30.reduceLanes(ADD), s31 = a31.reduceLanes(ADD);
        for (int k = bound; k < cols; k++) {
            int xk0 = x[x0 + k], xk1 = x[x1 + k];
            s00 += w[w0 + k] * xk0;
            s01 += w[w0 + k] * xk1;
            s10 += w[w1 + k] * xk0;
            s11 += w[w1 + k] * xk1;
            s20 += w[w2 + k] * xk0;
            s21 += w[w2 + k] * xk1;
            s30 += w[w3 + k] * xk0;
            s31 += w[w3 + k] * xk1;
        }
        out[o0 + r] = s00;
        out[o0 + r + 1] = s10;
        out[o0 + r + 2] = s20;
        out[o0 + r + 3] = s30;
        out[o1 + r] = s01;
        out[o1 + r + 1] = s11;
        out[o1 + r + 2] = s21;
        out[o1 + r + 3] = s31;
    }

    /** As {@link #gemmInt8}: blocks of four rows × two samples. */
    @Override
    public void gemmFloat(float[] w, int wOff, int cols, int rowFrom, int rowTo, float[] x, int xOff, int xStride, int samples,
                          float[] out, int outOff, int outStride) {
        int r = rowFrom;
        for (; r + ROWS <= rowTo; r += ROWS) {
            int s = 0;
            for (; s + 2 <= samples; s += 2) {
                blockFloat(w, wOff + r * cols, cols, r, x, xOff + s * xStride, xOff + (s + 1) * xStride,
                        out, outOff + s * outStride, outOff + (s + 1) * outStride);
            }
            if (s < samples) {
                gemvFloat(w, wOff, cols, r, r + ROWS, x, xOff + s * xStride, out, outOff + s * outStride);
            }
        }
        for (; r < rowTo; r++) {
            for (int s = 0; s < samples; s++) {
                out[outOff + s * outStride + r] = dotFloat(w, wOff + r * cols, x, xOff + s * xStride, cols);
            }
        }
    }

    private void blockFloat(float[] w, int w0, int cols, int r, float[] x, int x0, int x1, float[] out, int o0, int o1) {
        int bound = FLOATS.loopBound(cols);
        int w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int k = 0; k < bound; k += FLOATS.length()) {
            FloatVector xv0 = FloatVector.fromArray(FLOATS, x, x0 + k), xv1 = FloatVector.fromArray(FLOATS, x, x1 + k);
            FloatVector wv = FloatVector.fromArray(FLOATS, w, w0 + k);
            a00 = wv.fma(xv0, a00);
            a01 = wv.fma(xv1, a01);
            wv = FloatVector.fromArray(FLOATS, w, w1 + k);
            a10 = wv.fma(xv0, a10);
            a11 = wv.fma(xv1, a11);
            wv = FloatVector.fromArray(FLOATS, w, w2 + k);
            a20 = wv.fma(xv0, a20);
            a21 = wv.fma(xv1, a21);
            wv = FloatVector.fromArray(FLOATS, w, w3 + k);
            a30 = wv.fma(xv0, a30);
            a31 = wv.fma(xv1, a31);
        }
        float s00 = a00.reduceLanes(ADD), s01 = a01.reduceLanes(ADD), s10 = a10.reduceLanes(ADD), s11 = a11.reduceLanes(ADD);
        float s20 = a20.reduceLanes(ADD), s21 = a21.reduceLanes(ADD), s30 = a30.reduceLanes(ADD), s31 = a31.reduceLanes(ADD);
        for (int k = bound; k < cols; k++) {
            float xk0 = x[x0 + k], xk1 = x[x1 + k];
            s00 += w[w0 + k] * xk0;
            s01 += w[w0 + k] * xk1;
            s10 += w[w1 + k] * xk0;
            s11 += w[w1 + k] * xk1;
            s20 += w[w2 + k] * xk0;
            s21 += w[w2 + k] * xk1;
            s30 += w[w3 + k] * xk0;
            s31 += w[w3 + k] * xk1;
        }
        out[o0 + r] = s00;
        out[o0 + r + 1] = s10;
        out[o0 + r + 2] = s20;
        out[o0 + r + 3] = s30;
        out[o1 + r] = s01;
        out[o1 + r + 1] = s11;
        out[o1 + r + 2] = s21;
        out[o1 + r + 3] = s31;
    }
}
