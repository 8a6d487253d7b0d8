package dev.pipit.bench;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;

import dev.pipit.runtime.kernel.DenseInt8Matrix;
import dev.pipit.runtime.kernel.VectorKernels;
import dev.pipit.runtime.kernel.VectorKernelsProvider;
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
 * prints GMAC/s. The loops written here follow the runtime's rules (accumulators are arguments, never receivers).
 * <ul>
 *   <li>{@code int8-b2s}: Lucene's widening scheme, bytes → shorts ({@code convertShape(B2S)}), multiply,
 *       shorts → ints ({@code S2I}), add; lanes along K, one row × one sample per accumulator pair;
 *   <li>{@code int8-gemv}, {@code int8-gemm}: the runtime's own packed kernels (lanes are rows; even and odd
 *       bytes split by shifts, two 16-bit products added, widened by the XOR / high-half accumulation) through
 *       {@link DenseInt8Matrix#multiply}: the GEMV (4 row blocks × 1 sample, activations split in the loop) once
 *       per sample, and the GEMM (2 row blocks × 4 samples, activations split once per call);
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

    @Param({"int8-b2s", "int8-gemv", "int8-gemm", "int8-fp32", "fp32-fma", "fp32-peak"})
    public String scheme;

    private final VectorKernels kernels = VectorKernelsProvider.get();
    private byte[] w;       // row-major [ROWS][K] for int8-b2s, read as packed (quads of 4 columns × ROWS) by int8-fp32
    private byte[] x;       // [SAMPLES][K]
    private float[] wf;     // [K][ROWS]
    private float[] xf;     // [SAMPLES][K]
    private DenseInt8Matrix dense; // w as the runtime holds it (packed at 256 bits and more)
    private int[] out;

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
        dense = new DenseInt8Matrix(w, ROWS, K);
        out = new int[SAMPLES * ROWS];
    }

    @Benchmark
    public float tile() {
        return switch (scheme) {
            case "int8-b2s" -> b2s();
            case "int8-gemv" -> gemv();
            case "int8-gemm" -> gemm();
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

    private float gemv() {
        for (int s = 0; s < SAMPLES; s++) {
            dense.multiply(kernels, 0, ROWS, x, s * K, K, 1, out, s * ROWS, ROWS, null, 0);
        }
        return out[0];
    }

    private float gemm() {
        dense.multiply(kernels, 0, ROWS, x, 0, K, SAMPLES, out, 0, ROWS, null, 0);
        return out[0];
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
