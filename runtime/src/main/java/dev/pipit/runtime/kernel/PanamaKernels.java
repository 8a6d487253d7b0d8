package dev.pipit.runtime.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;

import java.util.Objects;
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
 * <p>Vector code only runs fast, and without allocating, when C2 inlines every Vector API call of a loop
 * into one compilation; a call left out of line boxes its vectors. Three limits shape this class:
 * <ul>
 *   <li>NodeCountInliningCutoff (18,000 IR nodes created per compilation), and a Vector API call expands
 *       to hundreds: each public method holds one loop body with few products (int8: two rows of one
 *       sample, as a third product crosses the cutoff at 128 and 256 bits; fp32: four rows), and none
 *       calls another. Register blocks across samples do not fit for int8, so GEMM reuses weights
 *       through cache blocking;
 *   <li>FreqInlineSize (325 bytecodes): the GEMMs, reached through several callers (dense and
 *       palettized weights), are larger, so C2 compiles them alone and never inlines two bodies into
 *       one caller;
 *   <li>InlineSmallCode: no helper takes or returns vectors (see the int8 section).
 * </ul>
 * Species are static finals: C2 only intrinsifies vector code whose species is a constant.
 */
final class PanamaKernels implements VectorKernels {

    /** Vector width in bits: the platform's preferred one, overridable for tests with {@code pipit.vector.bits}. */
    static final int BITS = supportedBits();
    private static final VectorSpecies<Float> FLOATS = species(float.class, BITS);
    private static final VectorSpecies<Integer> INTS = species(int.class, BITS);
    private static final VectorSpecies<Short> SHORTS = species(short.class, BITS);
    private static final VectorSpecies<Byte> BYTES = species(byte.class, BITS);
    private static final int BYTE_STEP = BYTES.length();
    private static final int ROWS = 4; // fp32 rows per pass; int8 takes two

    private static int supportedBits() {
        int bits = Integer.getInteger("pipit.vector.bits", VectorShape.preferredShape().vectorBitSize());
        if (bits < 128) { // fewer than four int lanes: not worth vectorising
            throw new UnsupportedOperationException("vector size is " + bits + " bits, below 128");
        }
        return Math.min(bits, 32 * Int8Packing.BLOCK_ROWS); // an int vector must not span two packed row blocks
    }

    private static <E> VectorSpecies<E> species(Class<E> type, int bits) {
        return VectorSpecies.of(type, VectorShape.forBitSize(bits));
    }

    @Override
    public String name() {
        return "panama-" + BITS;
    }

    // ---- int8 ----
    // The product steps are spelled out in each loop rather than in helpers: a helper taking or returning
    // vectors is a hazard. Compiled on its own once (as can happen during warm-up), its machine code
    // exceeds InlineSmallCode, later compilations call it instead of inlining it, and every call boxes.

    @Override
    public int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n) {
        int bound = n - n % BYTE_STEP;
        IntVector acc = IntVector.zero(INTS);
        for (int k = 0; k < bound; k += BYTE_STEP) {
            ShortVector xs = ByteVector.fromArray(BYTES, b, bOff + k).reinterpretAsShorts();
            ShortVector ws = ByteVector.fromArray(BYTES, a, aOff + k).reinterpretAsShorts();
            IntVector pairs = ws.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xs.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(ws.lanewise(ASHR, 8).mul(xs.lanewise(ASHR, 8))).reinterpretAsInts();
            acc = acc.add(pairs.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pairs.lanewise(ASHR, 16));
        }
        int sum = acc.reduceLanes(ADD);
        for (int k = bound; k < n; k++) {
            sum += a[aOff + k] * b[bOff + k];
        }
        return sum;
    }

    @Override
    public void gemvInt8(byte[] w, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        gemmInt8(w, 0, cols, rowFrom, rowTo, x, xOff, 0, 1, out, outOff, 0);
    }

    /**
     * Pairs of rows in the outer loop, samples inside: a pair's weights stay in L1 while every sample
     * passes, so weights stream from memory once per call rather than once per sample, and each
     * activation load serves both rows. An odd last row runs through the same loop paired with itself,
     * so this method holds the only int8 loop body of the GEMM paths.
     */
    @Override
    public void gemmInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride) {
        if (rowFrom >= rowTo || samples < 1) {
            return;
        }
        // Range checks up front: clear errors, and with them the method exceeds FreqInlineSize (325
        // bytecodes), so C2 never inlines it next to another loop body (see the class comment).
        Objects.checkFromIndexSize(wOff + rowFrom * cols, (rowTo - rowFrom) * cols, w.length);
        Objects.checkFromIndexSize(xOff, (samples - 1) * xStride + cols, x.length);
        Objects.checkFromIndexSize(outOff + rowFrom, (samples - 1) * outStride + rowTo - rowFrom, out.length);
        int bound = cols - cols % BYTE_STEP;
        for (int r = rowFrom; r < rowTo; r += 2) {
            boolean pair = r + 1 < rowTo;
            int w0 = wOff + r * cols, w1 = pair ? w0 + cols : w0;
            for (int s = 0; s < samples; s++) {
                int xs = xOff + s * xStride;
                IntVector acc0 = IntVector.zero(INTS), acc1 = acc0;
                for (int k = 0; k < bound; k += BYTE_STEP) {
                    ShortVector xv = ByteVector.fromArray(BYTES, x, xs + k).reinterpretAsShorts();
                    ShortVector xe = xv.lanewise(LSHL, 8).lanewise(ASHR, 8), xo = xv.lanewise(ASHR, 8);
                    ShortVector w0v = ByteVector.fromArray(BYTES, w, w0 + k).reinterpretAsShorts();
                    IntVector pairs0 = w0v.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(w0v.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                    acc0 = acc0.add(pairs0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pairs0.lanewise(ASHR, 16));
                    ShortVector w1v = ByteVector.fromArray(BYTES, w, w1 + k).reinterpretAsShorts();
                    IntVector pairs1 = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(w1v.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                    acc1 = acc1.add(pairs1.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pairs1.lanewise(ASHR, 16));
                }
                int s0 = acc0.reduceLanes(ADD), s1 = acc1.reduceLanes(ADD);
                for (int k = bound; k < cols; k++) {
                    int xk = x[xs + k];
                    s0 += w[w0 + k] * xk;
                    s1 += w[w1 + k] * xk;
                }
                int o = outOff + s * outStride + r;
                out[o] = s0;
                if (pair) {
                    out[o + 1] = s1;
                }
            }
        }
    }

    /**
     * Two blocks of int lanes (output rows) at a time; per quad of columns the sample's four activations
     * are broadcast as two ints of 16-bit pairs ({@link Int8Packing#pair}) and multiplied with the packed
     * weights' even and odd bytes, so each int lane accumulates its own row and the result is stored as
     * is. An odd last block pairs with itself.
     */
    @Override
    public void gemvInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff) {
        if (rowFrom >= rowTo) {
            return;
        }
        int lanes = INTS.length();
        Objects.checkFromIndexSize(Int8Packing.rowOffset(rowFrom - rowFrom % lanes, quads), 1, w.length);
        Objects.checkFromIndexSize(Int8Packing.rowOffset(rowTo - 1, quads) + (quads - 1) * Int8Packing.QUAD_BYTES, 4, w.length);
        Objects.checkFromIndexSize(xOff, cols, x.length);
        Objects.checkFromIndexSize(outOff + rowFrom, rowTo - rowFrom, out.length);
        for (int r = rowFrom - rowFrom % lanes; r < rowTo; r += 2 * lanes) {
            boolean second = r + lanes < rowTo;
            int wa = Int8Packing.rowOffset(r, quads), wb = second ? Int8Packing.rowOffset(r + lanes, quads) : wa;
            IntVector accA = IntVector.zero(INTS), accB = accA;
            for (int q = 0, k = 0; q < quads; q++, k += 4) {
                int o = xOff + k, even, odd;
                if (k + 4 <= cols) {
                    even = x[o] & 0xffff | x[o + 2] << 16;
                    odd = x[o + 1] & 0xffff | x[o + 3] << 16;
                } else {
                    even = Int8Packing.pair(x, o, k, cols, 0);
                    odd = Int8Packing.pair(x, o, k, cols, 1);
                }
                ShortVector xe = IntVector.broadcast(INTS, even).reinterpretAsShorts();
                ShortVector xo = IntVector.broadcast(INTS, odd).reinterpretAsShorts();
                int step = q * Int8Packing.QUAD_BYTES;
                ShortVector wav = ByteVector.fromArray(BYTES, w, wa + step).reinterpretAsShorts();
                IntVector pa = wav.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wav.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                accA = accA.add(pa.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pa.lanewise(ASHR, 16));
                ShortVector wbv = ByteVector.fromArray(BYTES, w, wb + step).reinterpretAsShorts();
                IntVector pb = wbv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wbv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                accB = accB.add(pb.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pb.lanewise(ASHR, 16));
            }
            if (r >= rowFrom && r + 2 * lanes <= rowTo) {
                accA.intoArray(out, outOff + r);
                accB.intoArray(out, outOff + r + lanes);
            } else {
                for (int i = 0; i < lanes; i++) {
                    if (r + i >= rowFrom && r + i < rowTo) {
                        out[outOff + r + i] = accA.lane(i);
                    }
                    if (second && r + lanes + i < rowTo) {
                        out[outOff + r + lanes + i] = accB.lane(i);
                    }
                }
            }
        }
    }

    /** As {@link #gemvInt8Packed} with one block of rows and two samples: each weight load serves both. */
    @Override
    public void gemmInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                               int[] out, int outOff, int outStride) {
        if (rowFrom >= rowTo || samples < 1) {
            return;
        }
        int lanes = INTS.length();
        Objects.checkFromIndexSize(Int8Packing.rowOffset(rowFrom - rowFrom % lanes, quads), 1, w.length);
        Objects.checkFromIndexSize(Int8Packing.rowOffset(rowTo - 1, quads) + (quads - 1) * Int8Packing.QUAD_BYTES, 4, w.length);
        Objects.checkFromIndexSize(xOff, (samples - 1) * xStride + cols, x.length);
        Objects.checkFromIndexSize(outOff + rowFrom, (samples - 1) * outStride + rowTo - rowFrom, out.length);
        for (int r = rowFrom - rowFrom % lanes; r < rowTo; r += lanes) {
            int wr = Int8Packing.rowOffset(r, quads);
            boolean whole = r >= rowFrom && r + lanes <= rowTo;
            for (int s = 0; s < samples; s += 2) {
                boolean second = s + 1 < samples;
                int xa = xOff + s * xStride, xb = second ? xa + xStride : xa;
                IntVector accA = IntVector.zero(INTS), accB = accA;
                for (int q = 0, k = 0; q < quads; q++, k += 4) {
                    int evenA, oddA, evenB, oddB;
                    if (k + 4 <= cols) {
                        evenA = x[xa + k] & 0xffff | x[xa + k + 2] << 16;
                        oddA = x[xa + k + 1] & 0xffff | x[xa + k + 3] << 16;
                        evenB = x[xb + k] & 0xffff | x[xb + k + 2] << 16;
                        oddB = x[xb + k + 1] & 0xffff | x[xb + k + 3] << 16;
                    } else {
                        evenA = Int8Packing.pair(x, xa + k, k, cols, 0);
                        oddA = Int8Packing.pair(x, xa + k, k, cols, 1);
                        evenB = Int8Packing.pair(x, xb + k, k, cols, 0);
                        oddB = Int8Packing.pair(x, xb + k, k, cols, 1);
                    }
                    ShortVector wv = ByteVector.fromArray(BYTES, w, wr + q * Int8Packing.QUAD_BYTES).reinterpretAsShorts();
                    ShortVector we = wv.lanewise(LSHL, 8).lanewise(ASHR, 8), wo = wv.lanewise(ASHR, 8);
                    IntVector pa = we.mul(IntVector.broadcast(INTS, evenA).reinterpretAsShorts())
                            .add(wo.mul(IntVector.broadcast(INTS, oddA).reinterpretAsShorts())).reinterpretAsInts();
                    accA = accA.add(pa.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pa.lanewise(ASHR, 16));
                    IntVector pb = we.mul(IntVector.broadcast(INTS, evenB).reinterpretAsShorts())
                            .add(wo.mul(IntVector.broadcast(INTS, oddB).reinterpretAsShorts())).reinterpretAsInts();
                    accB = accB.add(pb.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(pb.lanewise(ASHR, 16));
                }
                int oa = outOff + s * outStride + r, ob = oa + outStride;
                if (whole) {
                    accA.intoArray(out, oa);
                    if (second) {
                        accB.intoArray(out, ob);
                    }
                } else {
                    for (int i = 0; i < lanes; i++) {
                        if (r + i >= rowFrom && r + i < rowTo) {
                            out[oa + i] = accA.lane(i);
                            if (second) {
                                out[ob + i] = accB.lane(i);
                            }
                        }
                    }
                }
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
        gemmFloat(w, 0, cols, rowFrom, rowTo, x, xOff, 0, 1, out, outOff, 0);
    }

    /** As {@link #gemmInt8} with blocks of four rows; a short last block repeats its last row. */
    @Override
    public void gemmFloat(float[] w, int wOff, int cols, int rowFrom, int rowTo, float[] x, int xOff, int xStride, int samples,
                          float[] out, int outOff, int outStride) {
        if (rowFrom >= rowTo || samples < 1) {
            return;
        }
        Objects.checkFromIndexSize(wOff + rowFrom * cols, (rowTo - rowFrom) * cols, w.length);
        Objects.checkFromIndexSize(xOff, (samples - 1) * xStride + cols, x.length);
        Objects.checkFromIndexSize(outOff + rowFrom, (samples - 1) * outStride + rowTo - rowFrom, out.length);
        int bound = FLOATS.loopBound(cols);
        for (int r = rowFrom; r < rowTo; r += ROWS) {
            int rows = Math.min(ROWS, rowTo - r);
            int w0 = wOff + r * cols;
            int w1 = rows > 1 ? w0 + cols : w0, w2 = rows > 2 ? w1 + cols : w1, w3 = rows > 3 ? w2 + cols : w2;
            for (int s = 0; s < samples; s++) {
                int xs = xOff + s * xStride;
                FloatVector acc0 = FloatVector.zero(FLOATS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
                for (int k = 0; k < bound; k += FLOATS.length()) {
                    FloatVector xv = FloatVector.fromArray(FLOATS, x, xs + k);
                    acc0 = FloatVector.fromArray(FLOATS, w, w0 + k).fma(xv, acc0);
                    acc1 = FloatVector.fromArray(FLOATS, w, w1 + k).fma(xv, acc1);
                    acc2 = FloatVector.fromArray(FLOATS, w, w2 + k).fma(xv, acc2);
                    acc3 = FloatVector.fromArray(FLOATS, w, w3 + k).fma(xv, acc3);
                }
                float s0 = acc0.reduceLanes(ADD), s1 = acc1.reduceLanes(ADD);
                float s2 = acc2.reduceLanes(ADD), s3 = acc3.reduceLanes(ADD);
                for (int k = bound; k < cols; k++) {
                    float xk = x[xs + k];
                    s0 += w[w0 + k] * xk;
                    s1 += w[w1 + k] * xk;
                    s2 += w[w2 + k] * xk;
                    s3 += w[w3 + k] * xk;
                }
                int o = outOff + s * outStride + r;
                out[o] = s0;
                if (rows > 1) {
                    out[o + 1] = s1;
                }
                if (rows > 2) {
                    out[o + 2] = s2;
                }
                if (rows > 3) {
                    out[o + 3] = s3;
                }
            }
        }
    }
}
