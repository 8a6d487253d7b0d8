package dev.pipit.bench;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the Vector API can reach on this machine, one thread, data in L1: a GEMM tile of {@link #ROWS} output
 * rows × {@link #K} columns × {@link #SAMPLES} samples (16 KB of int8 weights and activations) per call, in
 * each way of computing int8 products Pipit has or could use, and the fp32 FMA peak. {@link BenchMain}
 * prints GMAC/s. Every loop follows the runtime's rules (accumulators are arguments, never receivers).
 * <ul>
 *   <li>{@code int8-b2s}: Lucene's widening scheme, bytes → shorts ({@code convertShape(B2S)}), multiply,
 *       shorts → ints ({@code S2I}), add; lanes along K, one row × one sample per accumulator pair;
 *   <li>{@code int8-split}: the packed kernels' scheme (lanes are rows; even and odd bytes split by shifts,
 *       two 16-bit products added, widened by the XOR / high-half accumulation), tile 2 row blocks × 2 samples,
 *       activations split in the loop: the GEMM's inner loop before the register-tiling change;
 *   <li>{@code int8-presplit}: the same products, tile 2 row blocks × 4 samples, activations split beforehand:
 *       the GEMM's inner loop now. Both restate the runtime's loops (package-private there, and wrapped in
 *       per-call work a ceiling leaves out);
 *   <li>{@code int8-fp32}: packed int8 weights, each column's byte shifted out and converted to float
 *       ({@code I2F}), FMA with broadcast fp32 activations (exact below 2^24), tile 2 row blocks × 4 samples;
 *   <li>{@code fp32-fma}: fp32 weights, the same tile, one load per block per column;
 *   <li>{@code fp32-peak}: eight independent FMA chains on registers, no loads: the FMA units' limit.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CeilingBench {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    /** Half-width bytes: what B2S widens to a full short vector. */
    private static final VectorSpecies<Byte> HALF_BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, BYTES.vectorBitSize() / 2)));
    static final int ROWS = 2 * INTS.length();
    static final int K = 512;
    static final int SAMPLES = 8;
    static final int PEAK_STEPS = 4096;

    @Param({"int8-b2s", "int8-split", "int8-presplit", "int8-fp32", "fp32-fma", "fp32-peak"})
    public String scheme;

    private byte[] w;       // row-major [ROWS][K] for int8-b2s, read as packed (quads of 4 columns × ROWS) by the others
    private byte[] x;       // [SAMPLES][K]
    private float[] wf;     // [K][ROWS]
    private float[] xf;     // [SAMPLES][K]
    private int[] xs;       // [SAMPLES][K / 4][2]: per quad, bytes 0 and 2, and 1 and 3, as sign-extended 16-bit lanes

    /** Multiply-accumulates per call of {@code scheme}. */
    static long macs(String scheme) {
        return scheme.equals("fp32-peak") ? 8L * PEAK_STEPS * FLOATS.length() : (long) ROWS * K * SAMPLES;
    }

    @Setup
    public void setUp() {
        Random random = new Random(42);
        w = new byte[ROWS * K];
        x = new byte[SAMPLES * K];
        wf = new float[K * ROWS];
        xf = new float[SAMPLES * K];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (random.nextInt(255) - 127);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) (random.nextInt(256) - 128);
            xf[i] = x[i];
        }
        for (int k = 0; k < K; k++) {
            for (int r = 0; r < ROWS; r++) {
                wf[k * ROWS + r] = w[r * K + k];
            }
        }
        xs = new int[SAMPLES * K / 2];
        for (int i = 0; i < SAMPLES * K / 4; i++) {
            xs[2 * i] = (x[4 * i] & 0xffff) | x[4 * i + 2] << 16;
            xs[2 * i + 1] = (x[4 * i + 1] & 0xffff) | x[4 * i + 3] << 16;
        }
    }

    @Benchmark
    public float tile() {
        return switch (scheme) {
            case "int8-b2s" -> b2s();
            case "int8-split" -> split();
            case "int8-presplit" -> presplit();
            case "int8-fp32" -> fmaTile(true);
            case "fp32-fma" -> fmaTile(false);
            default -> peak();
        };
    }

    private float b2s() {
        int sum = 0, step = HALF_BYTES.length();
        for (int s = 0; s < SAMPLES; s++) {
            for (int r = 0; r < ROWS; r++) {
                IntVector acc = IntVector.zero(INTS);
                for (int k = 0; k < K; k += step) {
                    ShortVector a = (ShortVector) ByteVector.fromArray(HALF_BYTES, w, r * K + k).convertShape(B2S, SHORTS, 0);
                    ShortVector b = (ShortVector) ByteVector.fromArray(HALF_BYTES, x, s * K + k).convertShape(B2S, SHORTS, 0);
                    ShortVector p = a.mul(b);
                    IntVector p0 = (IntVector) p.convertShape(S2I, INTS, 0), p1 = (IntVector) p.convertShape(S2I, INTS, 1);
                    acc = p0.add(p1).add(acc);
                }
                sum += IntVector.zero(INTS).add(acc).reduceLanes(ADD);
            }
        }
        return sum;
    }

    private float split() {
        int lanes = INTS.length(), quadBytes = 4 * ROWS, sum = 0;
        for (int s = 0; s < SAMPLES; s += 2) {
            IntVector lo0a = IntVector.zero(INTS), lo1a = lo0a, lo0b = lo0a, lo1b = lo0a, hi0a = lo0a, hi1a = lo0a, hi0b = lo0a, hi1b = lo0a;
            for (int q = 0; q < K / 4; q++) {
                ShortVector xav = IntVector.broadcast(INTS, quad(x, s * K + 4 * q)).reinterpretAsShorts();
                ShortVector xae = xav.lanewise(LSHL, 8).lanewise(ASHR, 8), xao = xav.lanewise(ASHR, 8);
                ShortVector xbv = IntVector.broadcast(INTS, quad(x, (s + 1) * K + 4 * q)).reinterpretAsShorts();
                ShortVector xbe = xbv.lanewise(LSHL, 8).lanewise(ASHR, 8), xbo = xbv.lanewise(ASHR, 8);
                ShortVector w0v = ByteVector.fromArray(BYTES, w, q * quadBytes).reinterpretAsShorts();
                ShortVector w0e = w0v.lanewise(LSHL, 8).lanewise(ASHR, 8), w0o = w0v.lanewise(ASHR, 8);
                ShortVector w1v = ByteVector.fromArray(BYTES, w, q * quadBytes + 4 * lanes).reinterpretAsShorts();
                ShortVector w1e = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8), w1o = w1v.lanewise(ASHR, 8);
                IntVector p0a = w0e.mul(xae).add(w0o.mul(xao)).reinterpretAsInts();
                lo0a = p0a.lanewise(XOR, 0x8000).add(lo0a);
                hi0a = p0a.lanewise(ASHR, 16).add(hi0a);
                IntVector p1a = w1e.mul(xae).add(w1o.mul(xao)).reinterpretAsInts();
                lo1a = p1a.lanewise(XOR, 0x8000).add(lo1a);
                hi1a = p1a.lanewise(ASHR, 16).add(hi1a);
                IntVector p0b = w0e.mul(xbe).add(w0o.mul(xbo)).reinterpretAsInts();
                lo0b = p0b.lanewise(XOR, 0x8000).add(lo0b);
                hi0b = p0b.lanewise(ASHR, 16).add(hi0b);
                IntVector p1b = w1e.mul(xbe).add(w1o.mul(xbo)).reinterpretAsInts();
                lo1b = p1b.lanewise(XOR, 0x8000).add(lo1b);
                hi1b = p1b.lanewise(ASHR, 16).add(hi1b);
            }
            IntVector unpack = IntVector.broadcast(INTS, -65535);
            sum += unpack.mul(hi0a).add(lo0a).add(unpack.mul(hi1a)).add(lo1a).add(unpack.mul(hi0b)).add(lo0b)
                    .add(unpack.mul(hi1b)).add(lo1b).reduceLanes(ADD);
        }
        return sum;
    }

    private static int quad(byte[] a, int o) {
        return (a[o] & 0xff) | (a[o + 1] & 0xff) << 8 | (a[o + 2] & 0xff) << 16 | a[o + 3] << 24;
    }

    /** As {@code split}, tile 2 row blocks × 4 samples, the activations split beforehand ({@link #xs}). */
    private float presplit() {
        int lanes = INTS.length(), quadBytes = 4 * ROWS;
        IntVector sum = IntVector.zero(INTS);
        for (int s = 0; s < SAMPLES; s += 4) {
            int x = s * K / 2;
            IntVector lo0a = IntVector.zero(INTS), lo1a = lo0a, lo0b = lo0a, lo1b = lo0a, lo0c = lo0a, lo1c = lo0a, lo0d = lo0a, lo1d = lo0a;
            IntVector hi0a = lo0a, hi1a = lo0a, hi0b = lo0a, hi1b = lo0a, hi0c = lo0a, hi1c = lo0a, hi0d = lo0a, hi1d = lo0a;
            for (int q = 0; q < K / 4; q++) {
                ShortVector w0v = ByteVector.fromArray(BYTES, w, q * quadBytes).reinterpretAsShorts();
                ShortVector w0e = w0v.lanewise(LSHL, 8).lanewise(ASHR, 8), w0o = w0v.lanewise(ASHR, 8);
                ShortVector w1v = ByteVector.fromArray(BYTES, w, q * quadBytes + 4 * lanes).reinterpretAsShorts();
                ShortVector w1e = w1v.lanewise(LSHL, 8).lanewise(ASHR, 8), w1o = w1v.lanewise(ASHR, 8);
                ShortVector xae = IntVector.broadcast(INTS, xs[x + 2 * q]).reinterpretAsShorts();
                ShortVector xao = IntVector.broadcast(INTS, xs[x + 2 * q + 1]).reinterpretAsShorts();
                IntVector p0a = w0e.mul(xae).add(w0o.mul(xao)).reinterpretAsInts();
                lo0a = p0a.lanewise(XOR, 0x8000).add(lo0a);
                hi0a = p0a.lanewise(ASHR, 16).add(hi0a);
                IntVector p1a = w1e.mul(xae).add(w1o.mul(xao)).reinterpretAsInts();
                lo1a = p1a.lanewise(XOR, 0x8000).add(lo1a);
                hi1a = p1a.lanewise(ASHR, 16).add(hi1a);
                ShortVector xbe = IntVector.broadcast(INTS, xs[x + K / 2 + 2 * q]).reinterpretAsShorts();
                ShortVector xbo = IntVector.broadcast(INTS, xs[x + K / 2 + 2 * q + 1]).reinterpretAsShorts();
                IntVector p0b = w0e.mul(xbe).add(w0o.mul(xbo)).reinterpretAsInts();
                lo0b = p0b.lanewise(XOR, 0x8000).add(lo0b);
                hi0b = p0b.lanewise(ASHR, 16).add(hi0b);
                IntVector p1b = w1e.mul(xbe).add(w1o.mul(xbo)).reinterpretAsInts();
                lo1b = p1b.lanewise(XOR, 0x8000).add(lo1b);
                hi1b = p1b.lanewise(ASHR, 16).add(hi1b);
                ShortVector xce = IntVector.broadcast(INTS, xs[x + K + 2 * q]).reinterpretAsShorts();
                ShortVector xco = IntVector.broadcast(INTS, xs[x + K + 2 * q + 1]).reinterpretAsShorts();
                IntVector p0c = w0e.mul(xce).add(w0o.mul(xco)).reinterpretAsInts();
                lo0c = p0c.lanewise(XOR, 0x8000).add(lo0c);
                hi0c = p0c.lanewise(ASHR, 16).add(hi0c);
                IntVector p1c = w1e.mul(xce).add(w1o.mul(xco)).reinterpretAsInts();
                lo1c = p1c.lanewise(XOR, 0x8000).add(lo1c);
                hi1c = p1c.lanewise(ASHR, 16).add(hi1c);
                ShortVector xde = IntVector.broadcast(INTS, xs[x + 3 * K / 2 + 2 * q]).reinterpretAsShorts();
                ShortVector xdo = IntVector.broadcast(INTS, xs[x + 3 * K / 2 + 2 * q + 1]).reinterpretAsShorts();
                IntVector p0d = w0e.mul(xde).add(w0o.mul(xdo)).reinterpretAsInts();
                lo0d = p0d.lanewise(XOR, 0x8000).add(lo0d);
                hi0d = p0d.lanewise(ASHR, 16).add(hi0d);
                IntVector p1d = w1e.mul(xde).add(w1o.mul(xdo)).reinterpretAsInts();
                lo1d = p1d.lanewise(XOR, 0x8000).add(lo1d);
                hi1d = p1d.lanewise(ASHR, 16).add(hi1d);
            }
            IntVector unpack = IntVector.broadcast(INTS, -65535);
            sum = unpack.mul(hi0a).add(lo0a).add(unpack.mul(hi1a)).add(lo1a).add(unpack.mul(hi0b)).add(lo0b).add(unpack.mul(hi1b))
                    .add(lo1b).add(unpack.mul(hi0c)).add(lo0c).add(unpack.mul(hi1c)).add(lo1c).add(unpack.mul(hi0d)).add(lo0d)
                    .add(unpack.mul(hi1d)).add(lo1d).add(sum);
        }
        return IntVector.zero(INTS).add(sum).reduceLanes(ADD);
    }

    /** Tile 2 row blocks × 4 samples; the weights fp32 ({@code fp32-fma}) or int8, converted per column. */
    private float fmaTile(boolean fromInt8) {
        int lanes = INTS.length(), quadBytes = 4 * ROWS;
        FloatVector total = FloatVector.zero(FLOATS);
        for (int s = 0; s < SAMPLES; s += 4) {
            FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int x0 = s * K, x1 = x0 + K, x2 = x1 + K, x3 = x2 + K;
            for (int k = 0; k < K; k++) {
                FloatVector fa, fb;
                if (fromInt8) { // the column's byte of each row's quad, shifted to the top, sign-extended back, converted
                    int o = (k >> 2) * quadBytes, left = 24 - 8 * (k & 3);
                    fa = (FloatVector) ByteVector.fromArray(BYTES, w, o).reinterpretAsInts().lanewise(LSHL, left).lanewise(ASHR, 24).convert(I2F, 0);
                    fb = (FloatVector) ByteVector.fromArray(BYTES, w, o + 4 * lanes).reinterpretAsInts().lanewise(LSHL, left).lanewise(ASHR, 24)
                            .convert(I2F, 0);
                } else {
                    fa = FloatVector.fromArray(FLOATS, wf, k * ROWS);
                    fb = FloatVector.fromArray(FLOATS, wf, k * ROWS + lanes);
                }
                FloatVector v0 = FloatVector.broadcast(FLOATS, xf[x0 + k]), v1 = FloatVector.broadcast(FLOATS, xf[x1 + k]);
                FloatVector v2 = FloatVector.broadcast(FLOATS, xf[x2 + k]), v3 = FloatVector.broadcast(FLOATS, xf[x3 + k]);
                a0 = fa.fma(v0, a0);
                b0 = fb.fma(v0, b0);
                a1 = fa.fma(v1, a1);
                b1 = fb.fma(v1, b1);
                a2 = fa.fma(v2, a2);
                b2 = fb.fma(v2, b2);
                a3 = fa.fma(v3, a3);
                b3 = fb.fma(v3, b3);
            }
            total = FloatVector.zero(FLOATS).add(a0).add(a1).add(a2).add(a3).add(b0).add(b1).add(b2).add(b3).add(total);
        }
        return FloatVector.zero(FLOATS).add(total).reduceLanes(ADD);
    }

    private float peak() {
        FloatVector m = FloatVector.broadcast(FLOATS, 0.999f), c = FloatVector.broadcast(FLOATS, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(FLOATS, xf[0]), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < PEAK_STEPS; i++) {
            a0 = m.fma(a0, c);
            a1 = m.fma(a1, c);
            a2 = m.fma(a2, c);
            a3 = m.fma(a3, c);
            a4 = m.fma(a4, c);
            a5 = m.fma(a5, c);
            a6 = m.fma(a6, c);
            a7 = m.fma(a7, c);
        }
        return FloatVector.zero(FLOATS).add(a0).add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .reduceLanes(ADD);
    }
}
