package dev.pipit.runtime.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Dense int8 weights are packed ({@link Int8Packing}) so that int lanes are output rows: per quad of
 * columns, one weight vector holds four values of each of {@code lanes} rows, and a sample's four
 * activations, read as one int and broadcast, split into even and odd bytes the same way. Each lane then
 * accumulates its own row: no per-output {@code reduceLanes}, and accumulators are stored as they are.
 * Register tiles: GEMV four row blocks × one sample, GEMM two row blocks × two samples (each weight load
 * serves two samples, each broadcast two blocks). They widen the 16-bit pair sums with one shift fewer
 * than {@code s << 16 >> 16} plus {@code s >> 16}: they add the int lane with bit 15 flipped (so its low
 * half never borrows) and, separately, its high half, and recover the sum once per output. Row-major {@link #gemmInt8} remains for 128-bit species
 * ({@link #packsInt8}) and palettized weights, which decode rows into scratch.
 *
 * <p>Vector code only runs fast, and without allocating, when C2 inlines every Vector API call of a loop
 * into one compilation; a call left out of line boxes its vectors. Three limits shape this class:
 * <ul>
 *   <li>NodeCountInliningCutoff (18,000 IR nodes created per compilation), and a Vector API call expands
 *       to hundreds: each public method holds one loop body with few products, and none calls another.
 *       Row-major {@link #gemmInt8} takes two rows of one sample (a third product crossed the cutoff at
 *       128 and 256 bits there); the packed kernels take four products per loop body, which compiled
 *       without allocating at 128, 256 and 512 bits on JDK 17 and 25 (checked with allocation counters and
 *       {@code InterpreterAllocationTest}): they share the weight and activation splits between
 *       products, so each product costs fewer calls; fp32 takes four rows;
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
    /** Four activation bytes as one int, in the byte order in which vectors reinterpret bytes as shorts. */
    /** Per-thread room for the two accumulators of a block that straddles the requested rows. */
    private static final ThreadLocal<int[]> EDGE = ThreadLocal.withInitial(() -> new int[4 * INTS.length()]);
    private static final VarHandle QUADS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

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

    /**
     * From 256 bits on. Int8 MLP 784-256-128-10 on x86 (JDK 17), packed vs row-major: 512 bits 25–35 % faster,
     * 256 bits 7–16 % faster, 128 bits ~25 % slower (there a few products per activation broadcast do
     * not pay for it). Unmeasured on NEON: revisit on a Raspberry Pi.
     */
    @Override
    public boolean packsInt8() {
        return BITS >= 256;
    }

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
     * are read as one int, broadcast, split into even and odd bytes like the packed weights and
     * multiplied with them, so each int lane accumulates its own row and the result is stored as
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
        for (int r = rowFrom - rowFrom % lanes; r < rowTo; r += 4 * lanes) {
            // blocks past rowTo repeat the previous one: computed, never stored
            int wa = Int8Packing.rowOffset(r, quads);
            int wb = r + lanes < rowTo ? Int8Packing.rowOffset(r + lanes, quads) : wa;
            int wc = r + 2 * lanes < rowTo ? Int8Packing.rowOffset(r + 2 * lanes, quads) : wb;
            int wd = r + 3 * lanes < rowTo ? Int8Packing.rowOffset(r + 3 * lanes, quads) : wc;
            IntVector loA = IntVector.zero(INTS), loB = loA, loC = loA, loD = loA, hiA = loA, hiB = loA, hiC = loA, hiD = loA;
            for (int q = 0, k = 0; q < quads; q++, k += 4) {
                int quad = k + 4 <= cols ? (int) QUADS.get(x, xOff + k) : Int8Packing.quad(x, xOff + k, cols - k);
                ShortVector xv = IntVector.broadcast(INTS, quad).reinterpretAsShorts();
                ShortVector xe = xv.lanewise(LSHL, 8).lanewise(ASHR, 8), xo = xv.lanewise(ASHR, 8);
                int step = q * Int8Packing.QUAD_BYTES;
                ShortVector wav = ByteVector.fromArray(BYTES, w, wa + step).reinterpretAsShorts();
                IntVector pa = wav.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wav.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loA = loA.add(pa.lanewise(XOR, 0x8000));
                hiA = hiA.add(pa.lanewise(ASHR, 16));
                ShortVector wbv = ByteVector.fromArray(BYTES, w, wb + step).reinterpretAsShorts();
                IntVector pb = wbv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wbv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loB = loB.add(pb.lanewise(XOR, 0x8000));
                hiB = hiB.add(pb.lanewise(ASHR, 16));
                ShortVector wcv = ByteVector.fromArray(BYTES, w, wc + step).reinterpretAsShorts();
                IntVector pc = wcv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wcv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loC = loC.add(pc.lanewise(XOR, 0x8000));
                hiC = hiC.add(pc.lanewise(ASHR, 16));
                ShortVector wdv = ByteVector.fromArray(BYTES, w, wd + step).reinterpretAsShorts();
                IntVector pd = wdv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wdv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loD = loD.add(pd.lanewise(XOR, 0x8000));
                hiD = hiD.add(pd.lanewise(ASHR, 16));
            }
            int bias = 32768 * quads; // as in gemmInt8Packed
            IntVector accA = loA.sub(hiA.mul(65535)).sub(bias), accB = loB.sub(hiB.mul(65535)).sub(bias);
            IntVector accC = loC.sub(hiC.mul(65535)).sub(bias), accD = loD.sub(hiD.mul(65535)).sub(bias);
            if (r >= rowFrom && r + 4 * lanes <= rowTo) {
                accA.intoArray(out, outOff + r);
                accB.intoArray(out, outOff + r + lanes);
                accC.intoArray(out, outOff + r + 2 * lanes);
                accD.intoArray(out, outOff + r + 3 * lanes);
            } else { // lane(i) with a variable i is not intrinsified: go through an array
                int[] edge = EDGE.get();
                accA.intoArray(edge, 0);
                accB.intoArray(edge, lanes);
                accC.intoArray(edge, 2 * lanes);
                accD.intoArray(edge, 3 * lanes);
                for (int i = Math.max(r, rowFrom); i < Math.min(r + 4 * lanes, rowTo); i++) {
                    out[outOff + i] = edge[i - r];
                }
            }
        }
    }

    /**
     * As {@link #gemvInt8Packed} with a register tile of two blocks of rows and two samples: each weight
     * load serves two samples, each activation broadcast two blocks. A missing second block or sample
     * repeats the first: computed, never stored.
     */
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
        for (int r = rowFrom - rowFrom % lanes; r < rowTo; r += 2 * lanes) {
            int w0 = Int8Packing.rowOffset(r, quads), w1 = r + lanes < rowTo ? Int8Packing.rowOffset(r + lanes, quads) : w0;
            boolean whole = r >= rowFrom && r + 2 * lanes <= rowTo;
            for (int s = 0; s < samples; s += 2) {
                boolean second = s + 1 < samples;
                int xa = xOff + s * xStride, xb = second ? xa + xStride : xa;
                IntVector lo0a = IntVector.zero(INTS), lo1a = lo0a, lo0b = lo0a, lo1b = lo0a, hi0a = lo0a, hi1a = lo0a, hi0b = lo0a, hi1b = lo0a;
                for (int q = 0, k = 0; q < quads; q++, k += 4) {
                    boolean full = k + 4 <= cols;
                    int step = q * Int8Packing.QUAD_BYTES;
                    ShortVector xav = IntVector.broadcast(INTS, full ? (int) QUADS.get(x, xa + k) : Int8Packing.quad(x, xa + k, cols - k))
                            .reinterpretAsShorts();
                    ShortVector xae = xav.lanewise(LSHL, 8).lanewise(ASHR, 8), xao = xav.lanewise(ASHR, 8);
                    ShortVector xbv = IntVector.broadcast(INTS, full ? (int) QUADS.get(x, xb + k) : Int8Packing.quad(x, xb + k, cols - k))
                            .reinterpretAsShorts();
                    ShortVector xbe = xbv.lanewise(LSHL, 8).lanewise(ASHR, 8), xbo = xbv.lanewise(ASHR, 8);
                    ShortVector w0v = ByteVector.fromArray(BYTES, w, w0 + step).reinterpretAsShorts();
                    ShortVector w0e = w0v.lanewise(LSHL, 8).lanewise(ASHR, 8), w0o = w0v.lanewise(ASHR, 8);
                    ShortVector w1v = ByteVector.fromArray(BYTES, w, w1 + step).reinterpretAsShorts();
                    ShortVector w1e = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8), w1o = w1v.lanewise(ASHR, 8);
                    IntVector p0a = w0e.mul(xae).add(w0o.mul(xao)).reinterpretAsInts();
                    lo0a = lo0a.add(p0a.lanewise(XOR, 0x8000));
                    hi0a = hi0a.add(p0a.lanewise(ASHR, 16));
                    IntVector p1a = w1e.mul(xae).add(w1o.mul(xao)).reinterpretAsInts();
                    lo1a = lo1a.add(p1a.lanewise(XOR, 0x8000));
                    hi1a = hi1a.add(p1a.lanewise(ASHR, 16));
                    IntVector p0b = w0e.mul(xbe).add(w0o.mul(xbo)).reinterpretAsInts();
                    lo0b = lo0b.add(p0b.lanewise(XOR, 0x8000));
                    hi0b = hi0b.add(p0b.lanewise(ASHR, 16));
                    IntVector p1b = w1e.mul(xbe).add(w1o.mul(xbo)).reinterpretAsInts();
                    lo1b = lo1b.add(p1b.lanewise(XOR, 0x8000));
                    hi1b = hi1b.add(p1b.lanewise(ASHR, 16));
                }
                // lo sums 65536·hi + lo + 32768 per step (bit 15 flipped: the low half never borrows), so
                // Σ(lo + hi) = Σlo − 65535·Σhi − 32768·quads, exact in wrapping int arithmetic
                int bias = 32768 * quads;
                IntVector acc0a = lo0a.sub(hi0a.mul(65535)).sub(bias), acc1a = lo1a.sub(hi1a.mul(65535)).sub(bias);
                IntVector acc0b = lo0b.sub(hi0b.mul(65535)).sub(bias), acc1b = lo1b.sub(hi1b.mul(65535)).sub(bias);
                int oa = outOff + s * outStride + r, ob = oa + outStride;
                if (whole) {
                    acc0a.intoArray(out, oa);
                    acc1a.intoArray(out, oa + lanes);
                    if (second) {
                        acc0b.intoArray(out, ob);
                        acc1b.intoArray(out, ob + lanes);
                    }
                } else { // lane(i) with a variable i is not intrinsified: go through an array
                    int[] edge = EDGE.get();
                    acc0a.intoArray(edge, 0);
                    acc1a.intoArray(edge, lanes);
                    acc0b.intoArray(edge, 2 * lanes);
                    acc1b.intoArray(edge, 3 * lanes);
                    for (int i = Math.max(0, rowFrom - r); i < Math.min(2 * lanes, rowTo - r); i++) {
                        out[oa + i] = edge[i];
                        if (second) {
                            out[ob + i] = edge[2 * lanes + i];
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
