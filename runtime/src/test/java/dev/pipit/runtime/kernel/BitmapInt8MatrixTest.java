package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The bitmap-sparse form against the dense form it encodes, with every kernel implementation. */
class BitmapInt8MatrixTest {

    /** The bitmap encoding of dense row-major weights, written independently of the runtime's builder. */
    static BitmapInt8Matrix bitmap(byte[] w, int rows, int cols) {
        int rowBytes = (cols + 7) / 8;
        byte[] mask = new byte[rows * rowBytes];
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                if (w[r * cols + k] != 0) {
                    mask[r * rowBytes + k / 8] |= (byte) (1 << (k % 8));
                    values.write(w[r * cols + k]);
                }
            }
        }
        byte[] v = values.size() == 0 ? new byte[1] : values.toByteArray();
        return new BitmapInt8Matrix(rows, cols, mask, v);
    }

    private static int[] product(VectorKernels kernels, Int8Matrix m, byte[] x, int samples, int from, int to) {
        int[] out = new int[samples * m.rows()];
        java.util.Arrays.fill(out, 0x5EED); // rows outside [from, to) must stay untouched, rows inside overwritten
        byte[] scratch = new byte[3 + m.scratchBytes()];
        java.util.Arrays.fill(scratch, (byte) 0x55); // scratch arrives dirty
        m.multiply(kernels, from, to, x, 1, m.cols(), samples, out, 0, m.rows(), scratch, 3);
        return out;
    }

    @ParameterizedTest
    @MethodSource("dev.pipit.runtime.kernel.Int8MatrixTest#implementations")
    void multiply_randomSparsity_equalsDenseBitExactly(VectorKernels kernels) { // both the sparse and the decoding path
        SplittableRandom random = new SplittableRandom(41);
        for (int trial = 0; trial < 200; trial++) {
            int rows = random.nextInt(1, 20), cols = random.nextInt(1, 200), samples = random.nextInt(1, 6);
            byte[] w = Int8MatrixTest.weights(random, rows, cols, random.nextInt(1, 16), random.nextBoolean(),
                    random.nextDouble());
            byte[] x = new byte[1 + samples * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (byte) random.nextInt(-128, 128);
            }
            int from = random.nextInt(0, rows), to = random.nextInt(from, rows + 1);
            DenseInt8Matrix dense = new DenseInt8Matrix(w, rows, cols);
            BitmapInt8Matrix sparse = bitmap(w, rows, cols);
            assertArrayEquals(product(kernels, dense, x, samples, from, to), product(kernels, sparse, x, samples, from, to),
                    "trial " + trial);
            for (int r = 0; r < rows; r++) {
                assertEquals(dense.rowSum(r), sparse.rowSum(r));
            }
        }
    }

    @Test
    void multiply_extremeValues_equalsDenseOnEveryImplementation() {
        int rows = 3, cols = 1000;
        byte[] w = new byte[rows * cols];
        byte[] x = new byte[1 + cols]; // product() reads from offset 1
        for (int k = 0; k < cols; k++) {
            w[k] = 127;
            w[cols + k] = (byte) (k % 5 == 0 ? -127 : 0);
            x[1 + k] = Byte.MIN_VALUE;
        }
        int[] expected = product(new ScalarKernels(), new DenseInt8Matrix(w, rows, cols), x, 1, 0, rows);
        for (VectorKernels kernels : new VectorKernels[] {new ScalarKernels(), new PanamaKernels()}) {
            assertArrayEquals(expected, product(kernels, bitmap(w, rows, cols), x, 1, 0, rows));
        }
        assertEquals(127 * -128 * 1000, expected[0]);
        assertEquals(0, expected[2]);
    }

    @Test
    void bytes_eightyPercentZeros_isAThirdOfDense() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] w = Int8MatrixTest.weights(random, 128, 800, 15, true, 0.8);
        BitmapInt8Matrix sparse = bitmap(w, 128, 800);
        long nonZeros = 0;
        for (byte v : w) {
            nonZeros += v != 0 ? 1 : 0;
        }
        assertEquals(nonZeros, sparse.nonZeros());
        assertEquals(128 * 100 + nonZeros + 4 * 129, sparse.bytes());
        assertEquals(4 * 800, sparse.scratchBytes(), "a fifth full: batches decode four rows at a time");
        assertTrue(sparse.bytes() < 0.35 * w.length, sparse.bytes() + " bytes");
        assertTrue(sparse.bytes() < Int8MatrixTest.csr(w, 128, 800).bytes() * 0.6);
    }

    @Test
    void constructor_allZero_needsOnePaddingZero() {
        BitmapInt8Matrix empty = new BitmapInt8Matrix(2, 9, new byte[4], new byte[] {0});
        assertEquals(0, empty.nonZeros());
        assertEquals(0, empty.scratchBytes(), "no decoding below an eighth full");
        assertArrayEquals(new int[] {0, 0}, product(new ScalarKernels(), empty, new byte[10], 1, 0, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> new BitmapInt8Matrix(2, 9, new byte[4], new byte[] {3}));
        assertEquals("bitmap marks 0 weights but holds 1 values (an empty bitmap holds one padding 0)", e.getMessage());
    }

    @Test
    void constructor_malformedEncodings_throwWithReason() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new BitmapInt8Matrix(2, 9, new byte[3], new byte[] {0}));
        assertEquals("bitmap mask must be rows × 2 = 4 bytes, is 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BitmapInt8Matrix(1, 9, new byte[] {1, 2}, new byte[] {1, 1}));
        assertEquals("bitmap row 0 marks columns at or past 9", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BitmapInt8Matrix(1, 8, new byte[] {0b101}, new byte[] {1, 2, 3}));
        assertEquals("bitmap marks 2 weights but holds 3 values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BitmapInt8Matrix(1, 8, new byte[] {0b11}, new byte[] {1, Byte.MIN_VALUE}));
        assertEquals("bitmap value -128 at entry 1; weights must be in [-127, 127]", e.getMessage());
    }
}
