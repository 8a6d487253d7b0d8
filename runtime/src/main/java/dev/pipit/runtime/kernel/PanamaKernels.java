package dev.pipit.runtime.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
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
 * <p>Int8 dot products: there is no dot-product instruction, so products are taken in 16 bits (cheaper
 * than 32-bit multiplies, notably on AVX-512, as in Lucene's {@code PanamaVectorUtilSupport}). Unlike
 * Lucene, bytes are not widened with a shape-changing {@code B2S} conversion: a full byte vector is
 * reinterpreted as shorts, and shifts split each 16-bit lane into its sign-extended even byte
 * ({@code s << 8 >> 8}) and odd byte ({@code s >> 8}). The even and odd products are added in 16 bits,
 * which weights in [-127, 127] allow (|sum| ≤ 2 · 127 · 128 = 32,512); adjacent 16-bit lanes are then
 * summed into 32-bit lanes with shifts (like {@code pmaddwd}). Every vector has the same shape, so
 * 128-bit NEON (Raspberry Pi) runs 128-bit byte, short and int vectors and no conversion can fall off
 * C2's intrinsics.
 *
 * <p>C2 inlines a bounded number of IR nodes per compilation (NodeCountInliningCutoff, 18,000 created
 * nodes) and every Vector API call expands to hundreds: a helper left out of line boxes its vector
 * arguments on every call, which allocates and runs orders of magnitude slower. So each register-blocked
 * loop is a method of its own, too large to be inlined into its caller (C2 compiles it alone and inlines
 * its helpers into it), taking only arrays and ints, and holding few products: int8 loops two rows of
 * one sample (measured: a third product crosses the cutoff at 128 and 256 bits), fp32 loops four rows
 * (× two samples in GEMM). GEMM reuses weights through cache blocking instead. Species are static
 * finals: C2 only intrinsifies vector code whose species is a constant.
 */
final class PanamaKernels implements VectorKernels {

    /** Vector width in bits: the platform's preferred one, overridable for tests with {@code pipit.vector.bits}. */
    static final int BITS = supportedBits();
    private static final VectorSpecies<Float> FLOATS = species(float.class, BITS);
    private static final VectorSpecies<Integer> INTS = species(int.class, BITS);
    private static final VectorSpecies<Short> SHORTS = species(short.class, BITS);
    private static final VectorSpecies<Byte> BYTES = species(byte.class, BITS);
    private static final int BYTE_STEP = BYTES.length();
    private static final int ROWS = 4;      // fp32 rows per pass
    private static final int INT8_ROWS = 2; // int8 rows per pass

    private static int supportedBits() {
        int bits = Integer.getInteger("pipit.vector.bits", VectorShape.preferredShape().vectorBitSize());
        if (bits < 128) { // fewer than four int lanes: not worth vectorising
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

    // ---- int8 ----

    private static ShortVector load(byte[] a, int offset) {
        return ByteVector.fromArray(BYTES, a, offset).reinterpretAsShorts();
    }

    /** The sign-extended even bytes of 16-bit lanes. */
    private static ShortVector even(ShortVector s) {
        return s.lanewise(LSHL, 8).lanewise(ASHR, 8);
    }

    /** The sign-extended odd bytes of 16-bit lanes. */
    private static ShortVector odd(ShortVector s) {
        return s.lanewise(ASHR, 8);
    }

    /** 32-bit lanes, each the sum of four byte products of {@code w} (raw) and {@code x} (split). */
    private static IntVector products(ShortVector w, ShortVector xEven, ShortVector xOdd) {
        IntVector pairs = even(w).mul(xEven).add(odd(w).mul(xOdd)).reinterpretAsInts();
        return pairs.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs.lanewise(ASHR, 16));
    }

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        int bound = n - n % BYTE_STEP;
        IntVector acc = IntVector.zero(INTS);
        for (int k = 0; k < bound; k += BYTE_STEP) {
            ShortVector x = load(b, bOff + k);
            acc = acc.add(products(load(a, aOff + k), even(x), odd(x)));
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
        int r = rowFrom;
        for (; r + INT8_ROWS <= rowTo; r += INT8_ROWS) {
            rowsInt8(w, wOff + r * cols, cols, r, x, xOff, out, outOff);
        }
        for (; r < rowTo; r++) {
            out[outOff + r] = dotInt8(w, wOff + r * cols, x, xOff, cols);
        }
    }

    /** Rows {@code r, r+1} (the first at {@code w0}) of one sample. */
    private void rowsInt8(byte[] w, int w0, int cols, int r, byte[] x, int xOff, int[] out, int outOff) {
        int bound = cols - cols % BYTE_STEP;
        int w1 = w0 + cols;
        IntVector acc0 = IntVector.zero(INTS), acc1 = acc0;
        for (int k = 0; k < bound; k += BYTE_STEP) {
            ShortVector xs = load(x, xOff + k);
            ShortVector xe = even(xs), xo = odd(xs);
            acc0 = acc0.add(products(load(w, w0 + k), xe, xo));
            acc1 = acc1.add(products(load(w, w1 + k), xe, xo));
        }
        int s0 = acc0.reduceLanes(ADD), s1 = acc1.reduceLanes(ADD);
        for (int k = bound; k < cols; k++) {
            int xk = x[xOff + k];
            s0 += w[w0 + k] * xk;
            s1 += w[w1 + k] * xk;
        }
        out[outOff + r] = s0;
        out[outOff + r + 1] = s1;
    }

    /**
     * Two-row blocks in the outer loop, samples inside: a block's weights stay in L1 while every sample
     * passes, so weights stream from memory once per call rather than once per sample. (Register blocks
     * of two rows × two samples do not fit C2's node budget for int8, see the class comment.)
     */
    @Override
    public void gemmInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride) {
        int r = rowFrom;
        for (; r + INT8_ROWS <= rowTo; r += INT8_ROWS) {
            for (int s = 0; s < samples; s++) {
                rowsInt8(w, wOff + r * cols, cols, r, x, xOff + s * xStride, out, outOff + s * outStride);
            }
        }
        for (; r < rowTo; r++) {
            for (int s = 0; s < samples; s++) {
                out[outOff + s * outStride + r] = dotInt8(w, wOff + r * cols, x, xOff + s * xStride, cols);
            }
        }
    }

    // ---- fp32 ----

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
        int r = rowFrom;
        for (; r + ROWS <= rowTo; r += ROWS) {
            rowsFloat(w, wOff + r * cols, cols, r, x, xOff, out, outOff);
        }
        for (; r < rowTo; r++) {
            out[outOff + r] = dotFloat(w, wOff + r * cols, x, xOff, cols);
        }
    }

    private void rowsFloat(float[] w, int w0, int cols, int r, float[] x, int xOff, float[] out, int outOff) {
        int bound = FLOATS.loopBound(cols);
        int w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
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
                rowsFloat(w, wOff + r * cols, cols, r, x, xOff + s * xStride, out, outOff + s * outStride);
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
