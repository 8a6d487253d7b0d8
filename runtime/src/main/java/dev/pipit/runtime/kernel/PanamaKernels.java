package dev.pipit.runtime.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;

import dev.pipit.runtime.graph.Quantization;
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
 *   <li>InlineSmallCode: no helper takes or returns vectors (see the int8 section);
 *   <li>PerMethodTrapLimit (100 traps per compilation, summed over every method parsed into it, JDK
 *       methods included): past it, a call on a vector whose class C2 cannot prove while parsing (a loop
 *       phi is typed {@code IntVector}) is inlined from its type profile with a virtual-call fallback,
 *       and the intrinsics after it see a non-constant species. So accumulators are arguments, never
 *       receivers ({@code acc = p.add(acc)}, stores through {@code zero.add(acc)}), and the operator
 *       caches are primed (below). Not airtight: results of operations with an accumulator argument are
 *       typed late too, so the launchers raise the limit ({@code -XX:PerMethodTrapLimit=100000};
 *       docs/performance.md, "The JIT's trap budget").
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
    /** Quads of columns per block of {@link #gemmInt8Packed}: 256 columns, 8 KB of a tile's weights at 512 bits. */
    private static final int GEMM_QUADS = 64;
    /** Samples per chunk of {@link #gemmInt8Packed}, whose activations it splits at once. */
    private static final int GEMM_SAMPLES = 32;
    /** Per-thread room for a chunk's split activations of one column block (16 KB). */
    private static final ThreadLocal<int[]> GEMM_X = ThreadLocal.withInitial(() -> new int[2 * GEMM_SAMPLES * GEMM_QUADS]);
    /** Four activation bytes as one int, in the byte order in which vectors reinterpret bytes as shorts. */
    /** Per-thread room for the accumulators of a tile: its rows' sums go through it to the output. */
    private static final ThreadLocal<int[]> EDGE = ThreadLocal.withInitial(() -> new int[16 * INTS.length()]);
    /** Per-thread room for the last, partial block of a requantized channel. */
    private static final ThreadLocal<byte[]> TAIL = ThreadLocal.withInitial(() -> new byte[BYTE_STEP]);
    /** Per-thread room for the accumulators of fp32 convolution tiles at the last channels or pixels. */
    private static final ThreadLocal<float[]> FLOAT_EDGE = ThreadLocal.withInitial(() -> new float[8 * FLOATS.length()]);
    /** Per-thread room for one block of pooled outputs in 16-bit lanes. */
    private static final ThreadLocal<short[]> POOL = ThreadLocal.withInitial(() -> new short[SHORTS.length()]);
    private static final VarHandle QUADS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        primeOperatorCaches(new PanamaKernels());
    }

    /**
     * Runs every kernel once, interpreted, before anything is compiled. Each Vector API operation finds its
     * implementation in a cache that fills on first use ({@code VectorOperators.ImplCache.find}, one method
     * shared by all vector types). A first use after C2 has compiled {@code find} on its own (as warm-up
     * does, from the not yet intrinsified calls) takes a {@code class_check} trap there. C2 adds the trap
     * counts of every method it parses to the compilation's total, so {@code find}'s few traps count once
     * per vector operation: past PerMethodTrapLimit (100 traps, i.e. 25 operations with 4 traps) the kernel's
     * type-profiled calls get a virtual-call fallback, later intrinsics see a non-constant species, and
     * their vectors are boxed (3.7 MB per CNN inference). With every operation cached here, {@code find}
     * never misses.
     */
    private static void primeOperatorCaches(PanamaKernels kernels) {
        int lanes = INTS.length(), rows = 4 * lanes + 1, cols = 2 * BYTE_STEP + 5; // whole and partial blocks
        byte[] w = new byte[rows * cols], x = new byte[3 * cols];
        int[] out = new int[3 * rows];
        kernels.dotInt8(w, 0, x, 0, cols);
        kernels.gemmInt8(w, 0, cols, 0, 3, x, 0, cols, 2, out, 0, rows);
        if (kernels.packsInt8()) {
            byte[] packed = Int8Packing.pack(w, rows, cols);
            int quads = Int8Packing.quads(cols);
            kernels.gemvInt8Packed(packed, quads, cols, 0, rows, x, 0, out, 0);
            kernels.gemmInt8Packed(packed, quads, cols, 0, rows, x, 0, cols, 3, out, 0, rows);
        }
        int k = 3, channels = 3, stride = 2 * VectorKernels.PIXEL_BLOCK; // odd taps and channels
        int[] acc = new int[channels * stride];
        byte[] convWeights = new byte[channels * k];
        kernels.convInt8(convWeights, 0, k, channels, new byte[k * stride], 0, stride, acc, 0);
        Quantization unit = Quantization.perTensor(1f, 0);
        // all-zero CSR weights: DenseInt8Matrix would ask the provider that is loading this class
        Int8Matrix zeros = new CsrInt8Matrix(channels, k, new int[channels], new int[0], new byte[0]);
        Int8OutputStage stage = new Int8OutputStage(zeros, unit, null, unit, unit, ActivationRange.NONE);
        kernels.requantizeInt8(acc, 0, stride, channels, stage, 0, stride - 1, new byte[channels * stride], 0, stride);
        int poolW = BYTE_STEP + 2; // a second, partial block; the last row's ends at the array's end (the scalar loop)
        kernels.maxPool2x2Int8(new byte[4 * poolW], 0, poolW, 2, poolW / 2, new byte[poolW], 0);
        float[] f = new float[rows * cols];
        kernels.dotFloat(f, 0, f, 0, cols);
        kernels.gemmFloat(f, 0, cols, 0, 5, f, 0, cols, 2, new float[2 * rows], 0, rows);
        int floatChannels = 5, floatStride = 2 * VectorKernels.PIXEL_BLOCK;
        kernels.convFloat(f, 0, k, floatChannels, new float[k * floatStride], 0, floatStride, new float[floatChannels], 0,
                0f, 6f, floatStride - 1, new float[floatChannels * floatStride], 0, floatStride);
    }

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
            acc = pairs.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs.lanewise(ASHR, 16)).add(acc);
        }
        int sum = IntVector.zero(INTS).add(acc).reduceLanes(ADD);
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
                    acc0 = pairs0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs0.lanewise(ASHR, 16)).add(acc0);
                    ShortVector w1v = ByteVector.fromArray(BYTES, w, w1 + k).reinterpretAsShorts();
                    IntVector pairs1 = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(w1v.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                    acc1 = pairs1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs1.lanewise(ASHR, 16)).add(acc1);
                }
                int s0 = IntVector.zero(INTS).add(acc0).reduceLanes(ADD), s1 = IntVector.zero(INTS).add(acc1).reduceLanes(ADD);
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
                loA = pa.lanewise(XOR, 0x8000).add(loA);
                hiA = pa.lanewise(ASHR, 16).add(hiA);
                ShortVector wbv = ByteVector.fromArray(BYTES, w, wb + step).reinterpretAsShorts();
                IntVector pb = wbv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wbv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loB = pb.lanewise(XOR, 0x8000).add(loB);
                hiB = pb.lanewise(ASHR, 16).add(hiB);
                ShortVector wcv = ByteVector.fromArray(BYTES, w, wc + step).reinterpretAsShorts();
                IntVector pc = wcv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wcv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loC = pc.lanewise(XOR, 0x8000).add(loC);
                hiC = pc.lanewise(ASHR, 16).add(hiC);
                ShortVector wdv = ByteVector.fromArray(BYTES, w, wd + step).reinterpretAsShorts();
                IntVector pd = wdv.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(xe).add(wdv.lanewise(ASHR, 8).mul(xo)).reinterpretAsInts();
                loD = pd.lanewise(XOR, 0x8000).add(loD);
                hiD = pd.lanewise(ASHR, 16).add(hiD);
            }
            int bias = 32768 * quads; // as in gemmInt8Packed
            IntVector unpack = IntVector.broadcast(INTS, -65535); // lo − 65535·hi, with no accumulator as receiver
            IntVector accA = unpack.mul(hiA).add(loA).sub(bias), accB = unpack.mul(hiB).add(loB).sub(bias);
            IntVector accC = unpack.mul(hiC).add(loC).sub(bias), accD = unpack.mul(hiD).add(loD).sub(bias);
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
     * As {@link #gemvInt8Packed} with a register tile of two blocks of rows × four samples: each weight load
     * and split serves four samples, each activation pair two blocks. The activations are split into even
     * and odd bytes once per call, into per-thread scratch ({@link #GEMM_X}: per sample, one int per quad
     * holding bytes 0 and 2 as 16-bit lanes, then one holding bytes 1 and 3), so the loop broadcasts them
     * ready to multiply. Columns run in blocks of {@link #GEMM_QUADS} quads, samples in chunks of
     * {@link #GEMM_SAMPLES}: the first column block stores its sums, later ones add to them. A missing second
     * block or sample repeats the previous one: computed, never stored.
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
        int[] xs = GEMM_X.get(), edge = EDGE.get();
        for (int s0 = 0; s0 < samples; s0 += GEMM_SAMPLES) {
            int chunk = Math.min(GEMM_SAMPLES, samples - s0);
            for (int q0 = 0; q0 < quads; q0 += GEMM_QUADS) {
                int q1 = Math.min(quads, q0 + GEMM_QUADS);
                boolean first = q0 == 0;
                for (int j = 0; j < chunk; j++) {
                    int src = xOff + (s0 + j) * xStride, base = 2 * j * GEMM_QUADS - q0, q = q0;
                    // a vector of quads at a time within the sample's columns, split as the weights are; then one by one
                    for (int whole = Math.min(q1, cols / 4); q + lanes <= whole; q += lanes) {
                        ShortVector v = ByteVector.fromArray(BYTES, x, src + 4 * q).reinterpretAsShorts();
                        v.lanewise(LSHL, 8).lanewise(ASHR, 8).reinterpretAsInts().intoArray(xs, base + q);
                        v.lanewise(ASHR, 8).reinterpretAsInts().intoArray(xs, base + GEMM_QUADS + q);
                    }
                    for (; q < q1; q++) {
                        int k = 4 * q, quad = k + 4 <= cols ? (int) QUADS.get(x, src + k) : Int8Packing.quad(x, src + k, cols - k);
                        xs[base + q] = (quad << 24 >> 24 & 0xffff) | (quad << 8 >> 24 << 16); // bytes 0 and 2, sign-extended
                        xs[base + GEMM_QUADS + q] = (quad << 16 >> 24 & 0xffff) | (quad >> 24 << 16); // bytes 1 and 3
                    }
                }
                for (int r = rowFrom - rowFrom % lanes; r < rowTo; r += 2 * lanes) {
                    int w0 = Int8Packing.rowOffset(r, quads), w1 = r + lanes < rowTo ? Int8Packing.rowOffset(r + lanes, quads) : w0;
                    boolean whole = r >= rowFrom && r + 2 * lanes <= rowTo;
                    for (int s = 0; s < chunk; s += 4) {
                        int n = Math.min(4, chunk - s), xa = 2 * s * GEMM_QUADS - q0;
                        int xb = n > 1 ? xa + 2 * GEMM_QUADS : xa, xc = n > 2 ? xb + 2 * GEMM_QUADS : xb, xd = n > 3 ? xc + 2 * GEMM_QUADS : xc;
                        IntVector lo0a = IntVector.zero(INTS), lo1a = lo0a, lo0b = lo0a, lo1b = lo0a, lo0c = lo0a, lo1c = lo0a, lo0d = lo0a, lo1d = lo0a;
                        IntVector hi0a = lo0a, hi1a = lo0a, hi0b = lo0a, hi1b = lo0a, hi0c = lo0a, hi1c = lo0a, hi0d = lo0a, hi1d = lo0a;
                        for (int q = q0; q < q1; q++) {
                            int step = q * Int8Packing.QUAD_BYTES;
                            ShortVector w0v = ByteVector.fromArray(BYTES, w, w0 + step).reinterpretAsShorts();
                            ShortVector w0e = w0v.lanewise(LSHL, 8).lanewise(ASHR, 8), w0o = w0v.lanewise(ASHR, 8);
                            ShortVector w1v = ByteVector.fromArray(BYTES, w, w1 + step).reinterpretAsShorts();
                            ShortVector w1e = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8), w1o = w1v.lanewise(ASHR, 8);
                            ShortVector xae = IntVector.broadcast(INTS, xs[xa + q]).reinterpretAsShorts();
                            ShortVector xao = IntVector.broadcast(INTS, xs[xa + GEMM_QUADS + q]).reinterpretAsShorts();
                            IntVector p = w0e.mul(xae).add(w0o.mul(xao)).reinterpretAsInts();
                            lo0a = p.lanewise(XOR, 0x8000).add(lo0a);
                            hi0a = p.lanewise(ASHR, 16).add(hi0a);
                            p = w1e.mul(xae).add(w1o.mul(xao)).reinterpretAsInts();
                            lo1a = p.lanewise(XOR, 0x8000).add(lo1a);
                            hi1a = p.lanewise(ASHR, 16).add(hi1a);
                            ShortVector xbe = IntVector.broadcast(INTS, xs[xb + q]).reinterpretAsShorts();
                            ShortVector xbo = IntVector.broadcast(INTS, xs[xb + GEMM_QUADS + q]).reinterpretAsShorts();
                            p = w0e.mul(xbe).add(w0o.mul(xbo)).reinterpretAsInts();
                            lo0b = p.lanewise(XOR, 0x8000).add(lo0b);
                            hi0b = p.lanewise(ASHR, 16).add(hi0b);
                            p = w1e.mul(xbe).add(w1o.mul(xbo)).reinterpretAsInts();
                            lo1b = p.lanewise(XOR, 0x8000).add(lo1b);
                            hi1b = p.lanewise(ASHR, 16).add(hi1b);
                            ShortVector xce = IntVector.broadcast(INTS, xs[xc + q]).reinterpretAsShorts();
                            ShortVector xco = IntVector.broadcast(INTS, xs[xc + GEMM_QUADS + q]).reinterpretAsShorts();
                            p = w0e.mul(xce).add(w0o.mul(xco)).reinterpretAsInts();
                            lo0c = p.lanewise(XOR, 0x8000).add(lo0c);
                            hi0c = p.lanewise(ASHR, 16).add(hi0c);
                            p = w1e.mul(xce).add(w1o.mul(xco)).reinterpretAsInts();
                            lo1c = p.lanewise(XOR, 0x8000).add(lo1c);
                            hi1c = p.lanewise(ASHR, 16).add(hi1c);
                            ShortVector xde = IntVector.broadcast(INTS, xs[xd + q]).reinterpretAsShorts();
                            ShortVector xdo = IntVector.broadcast(INTS, xs[xd + GEMM_QUADS + q]).reinterpretAsShorts();
                            p = w0e.mul(xde).add(w0o.mul(xdo)).reinterpretAsInts();
                            lo0d = p.lanewise(XOR, 0x8000).add(lo0d);
                            hi0d = p.lanewise(ASHR, 16).add(hi0d);
                            p = w1e.mul(xde).add(w1o.mul(xdo)).reinterpretAsInts();
                            lo1d = p.lanewise(XOR, 0x8000).add(lo1d);
                            hi1d = p.lanewise(ASHR, 16).add(hi1d);
                        }
                        // lo sums 65536·hi + lo + 32768 per step (bit 15 flipped: the low half never borrows), so
                        // Σ(lo + hi) = Σlo − 65535·Σhi − 32768·steps, exact in wrapping int arithmetic
                        IntVector unpack = IntVector.broadcast(INTS, -65535), bias = IntVector.broadcast(INTS, -32768 * (q1 - q0));
                        unpack.mul(hi0a).add(lo0a).add(bias).intoArray(edge, 0 * lanes);
                        unpack.mul(hi1a).add(lo1a).add(bias).intoArray(edge, 1 * lanes);
                        unpack.mul(hi0b).add(lo0b).add(bias).intoArray(edge, 2 * lanes);
                        unpack.mul(hi1b).add(lo1b).add(bias).intoArray(edge, 3 * lanes);
                        unpack.mul(hi0c).add(lo0c).add(bias).intoArray(edge, 4 * lanes);
                        unpack.mul(hi1c).add(lo1c).add(bias).intoArray(edge, 5 * lanes);
                        unpack.mul(hi0d).add(lo0d).add(bias).intoArray(edge, 6 * lanes);
                        unpack.mul(hi1d).add(lo1d).add(bias).intoArray(edge, 7 * lanes);
                        int from = whole ? 0 : Math.max(0, rowFrom - r), to = whole ? 2 * lanes : Math.min(2 * lanes, rowTo - r);
                        for (int j = 0; j < n; j++) {
                            int o = outOff + (s0 + s + j) * outStride + r, e = 2 * lanes * j;
                            if (whole && first) {
                                System.arraycopy(edge, e, out, o, 2 * lanes);
                            } else if (whole) {
                                IntVector.fromArray(INTS, out, o).add(IntVector.fromArray(INTS, edge, e)).intoArray(out, o);
                                IntVector.fromArray(INTS, out, o + lanes).add(IntVector.fromArray(INTS, edge, e + lanes)).intoArray(out, o + lanes);
                            } else {
                                for (int i = from; i < to; i++) {
                                    out[o + i] = first ? edge[e + i] : out[o + i] + edge[e + i];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- int8 convolution: lanes are output pixels ----

    /**
     * Two output channels × one block of {@code BYTE_STEP} pixels per pass, two taps per step. A patch
     * row loaded as bytes and reinterpreted as shorts splits into its even and odd pixels; each is multiplied
     * by the tap's weight (a broadcast short) and two taps' products are added in 16 bits. As ints, lane
     * {@code j} of the even sums holds pixels {@code 4j} (low half) and {@code 4j + 2} (high half), of the odd
     * ones {@code 4j + 1} and {@code 4j + 3}; the XOR / high-half accumulation of the packed GEMMs keeps the
     * halves apart. A block is stored as four int vectors, pixels {@code 4j}, {@code 4j + 1}, {@code 4j + 2},
     * {@code 4j + 3}, which {@link #requantizeInt8} packs back into bytes in pixel order. Small K (the first
     * layer's 9) and depthwise convolutions vectorise as well as large K: the loop runs over pixels.
     */
    @Override
    public void convInt8(byte[] w, int wOff, int k, int channels, byte[] patch, int patchOff, int stride, int[] acc, int accOff) {
        if (channels < 1) {
            return;
        }
        Objects.checkFromIndexSize(wOff, channels * k, w.length);
        Objects.checkFromIndexSize(patchOff, k * stride, patch.length);
        Objects.checkFromIndexSize(accOff, channels * stride, acc.length);
        int lanes = INTS.length();
        int bias = 32768 * ((k + 1) / 2);
        for (int c = 0; c < channels; c += 2) {
            boolean second = c + 1 < channels; // else the first channel runs twice: computed, not stored
            int w0 = wOff + c * k, w1 = second ? w0 + k : w0;
            for (int b = 0; b < stride; b += BYTE_STEP) {
                IntVector e0 = IntVector.zero(INTS), eh0 = e0, o0 = e0, oh0 = e0, e1 = e0, eh1 = e0, o1 = e0, oh1 = e0;
                for (int t = 0; t < k; t += 2) {
                    boolean pair = t + 1 < k; // an odd last tap pairs with itself, weighted 0
                    int ra = patchOff + t * stride + b, rb = pair ? ra + stride : ra;
                    ShortVector xa = ByteVector.fromArray(BYTES, patch, ra).reinterpretAsShorts();
                    ShortVector xae = xa.lanewise(LSHL, 8).lanewise(ASHR, 8), xao = xa.lanewise(ASHR, 8);
                    ShortVector xb = ByteVector.fromArray(BYTES, patch, rb).reinterpretAsShorts();
                    ShortVector xbe = xb.lanewise(LSHL, 8).lanewise(ASHR, 8), xbo = xb.lanewise(ASHR, 8);
                    short wa0 = w[w0 + t], wb0 = pair ? w[w0 + t + 1] : 0, wa1 = w[w1 + t], wb1 = pair ? w[w1 + t + 1] : 0;
                    IntVector pe0 = xae.mul(wa0).add(xbe.mul(wb0)).reinterpretAsInts();
                    e0 = pe0.lanewise(XOR, 0x8000).add(e0);
                    eh0 = pe0.lanewise(ASHR, 16).add(eh0);
                    IntVector po0 = xao.mul(wa0).add(xbo.mul(wb0)).reinterpretAsInts();
                    o0 = po0.lanewise(XOR, 0x8000).add(o0);
                    oh0 = po0.lanewise(ASHR, 16).add(oh0);
                    IntVector pe1 = xae.mul(wa1).add(xbe.mul(wb1)).reinterpretAsInts();
                    e1 = pe1.lanewise(XOR, 0x8000).add(e1);
                    eh1 = pe1.lanewise(ASHR, 16).add(eh1);
                    IntVector po1 = xao.mul(wa1).add(xbo.mul(wb1)).reinterpretAsInts();
                    o1 = po1.lanewise(XOR, 0x8000).add(o1);
                    oh1 = po1.lanewise(ASHR, 16).add(oh1);
                }
                int a0 = accOff + c * stride + b;
                // the low halves' sums e − 65536·eh (as in gemmInt8Packed); no accumulator is a receiver
                IntVector zero = IntVector.zero(INTS), unpack = IntVector.broadcast(INTS, -65536);
                unpack.mul(eh0).add(e0).sub(bias).intoArray(acc, a0);
                unpack.mul(oh0).add(o0).sub(bias).intoArray(acc, a0 + lanes);
                zero.add(eh0).intoArray(acc, a0 + 2 * lanes);
                zero.add(oh0).intoArray(acc, a0 + 3 * lanes);
                if (second) {
                    int a1 = a0 + stride;
                    unpack.mul(eh1).add(e1).sub(bias).intoArray(acc, a1);
                    unpack.mul(oh1).add(o1).sub(bias).intoArray(acc, a1 + lanes);
                    zero.add(eh1).intoArray(acc, a1 + 2 * lanes);
                    zero.add(oh1).intoArray(acc, a1 + 3 * lanes);
                }
            }
        }
    }

    /**
     * {@link Int8OutputStage#apply} on int lanes, exactly. The rounding doubling high multiply
     * {@code floor((a·m + 2^30) / 2^31)} (equal to FixedPoint's for {@code m ≥ 0}) needs a 64-bit product,
     * which the Vector API would take through shape-changing conversions (and NEON has no 64-bit
     * multiply): it is built from 16-bit halves, {@code a = ah·2^16 + al}, {@code m = mh·2^16 + ml}, as
     * {@code 2·ah·mh + floor((ah·ml + al·mh + (al·ml >>> 16) + 2^14) / 2^15)}, each term within int range
     * ({@code al·ml} is read unsigned). The four pixel classes of a block are packed back into one int per
     * four pixels, i.e. bytes in pixel order.
     */
    @Override
    public void requantizeInt8(int[] acc, int accOff, int stride, int channels, Int8OutputStage stage, int channel0, int pixels,
                               byte[] y, int yOff, int yStride) {
        if (channels < 1 || pixels < 1) {
            return;
        }
        Objects.checkFromIndexSize(accOff, channels * stride, acc.length);
        Objects.checkFromIndexSize(yOff, (channels - 1) * yStride + pixels, y.length);
        Objects.checkFromIndexSize(channel0, channels, stage.channels());
        int lanes = INTS.length();
        int zp = stage.outputZeroPoint(), min = stage.min(), max = stage.max();
        for (int c = 0; c < channels; c++) {
            int bias = stage.foldedBias(channel0 + c), m = stage.multiplier(channel0 + c), shift = stage.shift(channel0 + c);
            int left = Math.max(shift, 0), right = Math.max(-shift, 0);
            int mh = m >> 16, ml = m & 0xffff, mh2 = 2 * mh;
            int mask = (int) ((1L << right) - 1), half = mask >> 1;
            for (int b = 0; b < pixels; b += BYTE_STEP) {
                int a = accOff + c * stride + b;
                IntVector packed = IntVector.zero(INTS);
                for (int i = 0; i < 4; i++) {
                    IntVector x = IntVector.fromArray(INTS, acc, a + i * lanes).add(bias).lanewise(LSHL, left);
                    IntVector al = x.and(0xffff), ah = x.lanewise(ASHR, 16);
                    IntVector v = al.mul(mh).add(al.mul(ml).lanewise(LSHR, 16)).add(1 << 14), u = ah.mul(ml);
                    IntVector high = ah.mul(mh2).add(u.lanewise(ASHR, 15)).add(v.lanewise(ASHR, 15))
                            .add(u.and(0x7fff).add(v.and(0x7fff)).lanewise(ASHR, 15));
                    // round(high / 2^right), ties away from zero: + 1 where the remainder exceeds the threshold
                    IntVector threshold = high.lanewise(LSHR, 31).add(half);
                    IntVector q = high.lanewise(ASHR, right).add(threshold.sub(high.and(mask)).lanewise(LSHR, 31));
                    packed = q.add(zp).max(min).min(max).and(0xff).lanewise(LSHL, 8 * i).or(packed);
                }
                ByteVector bytes = IntVector.zero(INTS).or(packed).reinterpretAsBytes();
                int o = yOff + c * yStride + b;
                if (b + BYTE_STEP <= pixels) {
                    bytes.intoArray(y, o);
                } else {
                    byte[] tail = TAIL.get();
                    bytes.intoArray(tail, 0);
                    System.arraycopy(tail, 0, y, o, pixels - b);
                }
            }
        }
    }

    /**
     * Per output row and block of {@code BYTE_STEP / 2} outputs: the two input rows' maxima as byte lanes, then
     * each pair's maximum in 16-bit lanes (the even byte sign-extended, the odd byte), one output per short lane,
     * narrowed to bytes by a scalar pass through {@code POOL} (no shape-changing conversion). A block whose loads
     * would pass the array's end runs the scalar loop.
     */
    @Override
    public void maxPool2x2Int8(byte[] x, int xOff, int inW, int outH, int outW, byte[] y, int yOff) {
        if (outH < 1 || outW < 1) {
            return;
        }
        Objects.checkFromIndexSize(xOff, (2 * outH - 1) * inW + 2 * outW, x.length);
        Objects.checkFromIndexSize(yOff, outH * outW, y.length);
        short[] pairs = POOL.get();
        int half = BYTE_STEP / 2;
        for (int oy = 0; oy < outH; oy++) {
            int r0 = xOff + 2 * oy * inW, r1 = r0 + inW, yr = yOff + oy * outW;
            for (int ox = 0; ox < outW; ox += half) {
                int n = Math.min(half, outW - ox);
                if (r1 + 2 * ox + BYTE_STEP <= x.length) {
                    ShortVector m = ByteVector.fromArray(BYTES, x, r0 + 2 * ox).max(ByteVector.fromArray(BYTES, x, r1 + 2 * ox))
                            .reinterpretAsShorts();
                    m.lanewise(LSHL, 8).lanewise(ASHR, 8).max(m.lanewise(ASHR, 8)).intoArray(pairs, 0);
                    for (int i = 0; i < n; i++) {
                        y[yr + ox + i] = (byte) pairs[i];
                    }
                } else {
                    for (int i = ox; i < ox + n; i++) {
                        y[yr + i] = (byte) Math.max(Math.max(x[r0 + 2 * i], x[r0 + 2 * i + 1]), Math.max(x[r1 + 2 * i], x[r1 + 2 * i + 1]));
                    }
                }
            }
        }
    }

    // ---- fp32 ----

    /**
     * Four output channels × two vectors of pixels per pass: per tap, two patch loads and four broadcast
     * weights feed eight FMAs. The epilogue adds the bias and clamps in the registers.
     */
    @Override
    public void convFloat(float[] w, int wOff, int k, int channels, float[] patch, int patchOff, int stride, float[] bias, int biasOff,
                          float min, float max, int pixels, float[] y, int yOff, int yStride) {
        if (channels < 1 || pixels < 1) {
            return;
        }
        Objects.checkFromIndexSize(wOff, channels * k, w.length);
        Objects.checkFromIndexSize(patchOff, k * stride, patch.length);
        Objects.checkFromIndexSize(biasOff, channels, bias.length);
        Objects.checkFromIndexSize(yOff, (channels - 1) * yStride + pixels, y.length);
        int lanes = FLOATS.length();
        for (int c = 0; c < channels; c += 4) {
            int n = Math.min(4, channels - c); // missing channels repeat the last: computed, not stored
            int w0 = wOff + c * k, w1 = n > 1 ? w0 + k : w0, w2 = n > 2 ? w1 + k : w1, w3 = n > 3 ? w2 + k : w2;
            for (int b = 0; b < pixels; b += 2 * lanes) {
                FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int t = 0, row = patchOff + b; t < k; t++, row += stride) {
                    FloatVector xa = FloatVector.fromArray(FLOATS, patch, row), xb = FloatVector.fromArray(FLOATS, patch, row + lanes);
                    FloatVector v0 = FloatVector.broadcast(FLOATS, w[w0 + t]), v1 = FloatVector.broadcast(FLOATS, w[w1 + t]);
                    FloatVector v2 = FloatVector.broadcast(FLOATS, w[w2 + t]), v3 = FloatVector.broadcast(FLOATS, w[w3 + t]);
                    a0 = xa.fma(v0, a0);
                    b0 = xb.fma(v0, b0);
                    a1 = xa.fma(v1, a1);
                    b1 = xb.fma(v1, b1);
                    a2 = xa.fma(v2, a2);
                    b2 = xb.fma(v2, b2);
                    a3 = xa.fma(v3, a3);
                    b3 = xb.fma(v3, b3);
                }
                int o = yOff + c * yStride + b;
                if (n == 4 && b + 2 * lanes <= pixels) {
                    float c0 = bias[biasOff + c], c1 = bias[biasOff + c + 1], c2 = bias[biasOff + c + 2], c3 = bias[biasOff + c + 3];
                    FloatVector.broadcast(FLOATS, c0).add(a0).max(min).min(max).intoArray(y, o);
                    FloatVector.broadcast(FLOATS, c0).add(b0).max(min).min(max).intoArray(y, o + lanes);
                    FloatVector.broadcast(FLOATS, c1).add(a1).max(min).min(max).intoArray(y, o + yStride);
                    FloatVector.broadcast(FLOATS, c1).add(b1).max(min).min(max).intoArray(y, o + yStride + lanes);
                    FloatVector.broadcast(FLOATS, c2).add(a2).max(min).min(max).intoArray(y, o + 2 * yStride);
                    FloatVector.broadcast(FLOATS, c2).add(b2).max(min).min(max).intoArray(y, o + 2 * yStride + lanes);
                    FloatVector.broadcast(FLOATS, c3).add(a3).max(min).min(max).intoArray(y, o + 3 * yStride);
                    FloatVector.broadcast(FLOATS, c3).add(b3).max(min).min(max).intoArray(y, o + 3 * yStride + lanes);
                } else { // the last channels or pixels: through an array, as lane(i) with a variable i is not intrinsified
                    float[] edge = FLOAT_EDGE.get();
                    FloatVector minusZero = FloatVector.broadcast(FLOATS, -0f); // x + −0 = x exactly
                    minusZero.add(a0).intoArray(edge, 0);
                    minusZero.add(b0).intoArray(edge, lanes);
                    minusZero.add(a1).intoArray(edge, 2 * lanes);
                    minusZero.add(b1).intoArray(edge, 3 * lanes);
                    minusZero.add(a2).intoArray(edge, 4 * lanes);
                    minusZero.add(b2).intoArray(edge, 5 * lanes);
                    minusZero.add(a3).intoArray(edge, 6 * lanes);
                    minusZero.add(b3).intoArray(edge, 7 * lanes);
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < Math.min(2 * lanes, pixels - b); p++) {
                            y[o + j * yStride + p] = Math.min(max, Math.max(min, edge[2 * j * lanes + p] + bias[biasOff + c + j]));
                        }
                    }
                }
            }
        }
    }

    @Override
    public float dotFloat(float[] a, int aOff, float[] b, int bOff, int n) {
        int bound = FLOATS.loopBound(n);
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int k = 0; k < bound; k += FLOATS.length()) {
            acc = FloatVector.fromArray(FLOATS, a, aOff + k).fma(FloatVector.fromArray(FLOATS, b, bOff + k), acc);
        }
        float sum = FloatVector.broadcast(FLOATS, -0f).add(acc).reduceLanes(ADD);
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
                FloatVector minusZero = FloatVector.broadcast(FLOATS, -0f); // x + −0 = x exactly; no accumulator is a receiver
                float s0 = minusZero.add(acc0).reduceLanes(ADD), s1 = minusZero.add(acc1).reduceLanes(ADD);
                float s2 = minusZero.add(acc2).reduceLanes(ADD), s3 = minusZero.add(acc3).reduceLanes(ADD);
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
