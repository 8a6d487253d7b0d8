package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Compressed weight forms against the dense form they encode: identical products, smaller memory. */
class Int8MatrixTest {

    static Stream<VectorKernels> implementations() {
        return Stream.of(new ScalarKernels(), new PanamaKernels());
    }

    /**
     * Dense weights drawn from {@code levels} values (one set per row or one for all) plus zeros, so they
     * palettize (levels ≤ 15 fit 4 bits) and sparsify.
     */
    static byte[] weights(SplittableRandom random, int rows, int cols, int levels, boolean perRow, double zeroFraction) {
        byte[] w = new byte[rows * cols];
        int[] values = random.ints(levels, -127, 128).toArray();
        for (int r = 0; r < rows; r++) {
            values = perRow ? random.ints(levels, -127, 128).toArray() : values;
            for (int k = 0; k < cols; k++) {
                w[r * cols + k] = random.nextDouble() < zeroFraction ? 0 : (byte) values[random.nextInt(levels)];
            }
        }
        return w;
    }

    static CsrInt8Matrix csr(byte[] w, int rows, int cols) {
        int[] ends = new int[rows];
        List<Integer> columns = new ArrayList<>();
        List<Byte> values = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                if (w[r * cols + k] != 0) {
                    columns.add(k);
                    values.add(w[r * cols + k]);
                }
            }
            ends[r] = values.size();
        }
        byte[] v = new byte[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new CsrInt8Matrix(rows, cols, ends, columns.stream().mapToInt(Integer::intValue).toArray(), v);
    }

    static PalettizedInt8Matrix palette(byte[] w, int rows, int cols, int bits, boolean perRow) {
        int rowBytes = bits == 8 ? cols : (cols + 1) / 2;
        byte[] indices = new byte[rows * rowBytes];
        List<Byte> shared = new ArrayList<>();
        List<List<Byte>> books = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            List<Byte> book = perRow ? new ArrayList<>() : shared;
            for (int k = 0; k < cols; k++) {
                byte v = w[r * cols + k];
                int index = book.indexOf(v);
                if (index < 0) {
                    index = book.size();
                    book.add(v);
                }
                if (bits == 8) {
                    indices[r * rowBytes + k] = (byte) index;
                } else {
                    indices[r * rowBytes + k / 2] |= (byte) (index << (k % 2 * 4));
                }
            }
            books.add(book);
        }
        int entries = perRow ? books.stream().mapToInt(List::size).max().orElseThrow() : shared.size();
        byte[] codebook = new byte[perRow ? rows * entries : entries];
        for (int r = 0; r < (perRow ? rows : 1); r++) {
            for (int e = 0; e < books.get(r).size(); e++) {
                codebook[r * entries + e] = books.get(r).get(e);
            }
        }
        return new PalettizedInt8Matrix(rows, cols, bits, indices, codebook, entries, perRow);
    }

    private static int[] product(VectorKernels kernels, Int8Matrix m, byte[] x, int samples, int from, int to) {
        int[] out = new int[samples * m.rows()];
        byte[] scratch = new byte[3 + m.scratchBytes()];
        m.multiply(kernels, from, to, x, 1, m.cols(), samples, out, 0, m.rows(), scratch, 3);
        return out;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void multiply_csrAndPalettes_equalDenseBitExactly(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(31);
        for (int trial = 0; trial < 150; trial++) {
            int rows = random.nextInt(1, 20), cols = random.nextInt(1, 200), samples = random.nextInt(1, 6);
            boolean perRow = random.nextBoolean();
            byte[] w = weights(random, rows, cols, random.nextInt(1, 16), perRow, random.nextDouble());
            byte[] x = new byte[1 + samples * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (byte) random.nextInt(-128, 128);
            }
            int from = random.nextInt(0, rows), to = random.nextInt(from, rows + 1);
            DenseInt8Matrix dense = new DenseInt8Matrix(w, rows, cols);
            int[] expected = product(kernels, dense, x, samples, from, to);
            List<Int8Matrix> compressed = List.of(palette(w, rows, cols, 4, perRow), palette(w, rows, cols, 8, perRow));
            if (hasNonZero(w)) { // CSR cannot hold an all-zero matrix: no tensor has zero elements
                compressed = Stream.concat(compressed.stream(), Stream.of(csr(w, rows, cols))).toList();
            }
            for (Int8Matrix m : compressed) {
                assertArrayEquals(expected, product(kernels, m, x, samples, from, to), m.getClass().getSimpleName() + " trial " + trial);
                for (int r = 0; r < rows; r++) {
                    assertEquals(dense.rowSum(r), m.rowSum(r));
                }
            }
        }
    }

    private static boolean hasNonZero(byte[] w) {
        for (byte v : w) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }

    @Test
    void bytes_compressedForms_countStoredBytesOnly() {
        SplittableRandom random = new SplittableRandom(32);
        byte[] w = weights(random, 64, 300, 15, true, 0.9);
        long nonZeros = 0;
        for (byte v : w) {
            nonZeros += v != 0 ? 1 : 0;
        }
        CsrInt8Matrix csr = csr(w, 64, 300);
        assertEquals(nonZeros, csr.nonZeros());
        assertEquals(nonZeros * 3 + 4 * 65, csr.bytes()); // value + char column per entry, 65 row starts
        assertTrue(csr.bytes() < 0.4 * w.length);
        assertEquals(64 * 150 + 64 * 16, palette(w, 64, 300, 4, true).bytes());
        assertEquals(64 * 300 + 64 * 16, palette(w, 64, 300, 8, true).bytes(), "16 values: 15 levels and 0");
        assertEquals(64 * 300, new DenseInt8Matrix(w, 64, 300).bytes());
    }

    @Test
    void csr_wideMatrix_usesIntColumns() {
        int cols = 70_000;
        CsrInt8Matrix csr = new CsrInt8Matrix(1, cols, new int[] {2}, new int[] {3, 69_999}, new byte[] {5, -7});
        assertEquals(2 * 5 + 8, csr.bytes());
        byte[] x = new byte[cols];
        x[3] = 2;
        x[69_999] = 3;
        int[] out = new int[1];
        csr.multiply(new ScalarKernels(), 0, 1, x, 0, cols, 1, out, 0, 1, null, 0);
        assertEquals(10 - 21, out[0]);
    }

    @Test
    void constructors_malformedEncodings_throwWithReason() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new CsrInt8Matrix(2, 4, new int[] {1, 2}, new int[] {1, 4}, new byte[] {1, 1}));
        assertEquals("CSR row 1 column index 4 is outside [0, 4) or not increasing", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CsrInt8Matrix(2, 4, new int[] {2, 1}, new int[] {1, 2}, new byte[] {1, 1}));
        assertEquals("CSR row 1 ends at 1, outside [2, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PalettizedInt8Matrix(1, 3, 4, new byte[] {0x21, 0x03}, new byte[] {1, 2, 3}, 3, false));
        assertEquals("palette index 3 at row 0, column 2 is outside the 3 codebook entries", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PalettizedInt8Matrix(1, 3, 4, new byte[] {0}, new byte[] {1}, 1, false));
        assertEquals("palette indices must be rows × 2 = 2 bytes, are 1", e.getMessage());
    }
}
