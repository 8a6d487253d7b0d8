package dev.pipit.runtime.kernel;

/**
 * Palettized int8 weights: each weight is an index into an int8 codebook, shared by the layer or one
 * per row (output channel). Indices are 8 bits, or 4 bits packed two per byte (even column in the low
 * nibble); every row starts on a byte boundary. The weights stay in this form: {@link #multiply}
 * decodes four rows at a time into caller-owned scratch and runs the vector kernels' GEMM on them, so
 * the decode is shared by every sample of the call.
 */
public final class PalettizedInt8Matrix implements Int8Matrix {

    private static final int BLOCK = 4; // rows decoded per GEMM: the kernels' register block

    private final int rows;
    private final int cols;
    private final int bits;
    private final int rowBytes;
    private final byte[] indices;
    private final byte[] codebook;
    private final int entries;
    private final boolean perRow;
    private final int[] rowSums;

    /**
     * @param bits 4 or 8
     * @param indices {@code rows × rowBytes}: {@code rowBytes = cols} for 8 bits, {@code ⌈cols / 2⌉} for 4
     * @param codebook {@code entries} values, or {@code rows × entries} when {@code perRow}; in [-127, 127]
     */
    public PalettizedInt8Matrix(int rows, int cols, int bits, byte[] indices, byte[] codebook, int entries, boolean perRow) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("palette indices are 4 or 8 bits, not " + bits);
        }
        if (rows < 1 || cols < 1 || entries < 1 || entries > 1 << bits) {
            throw new IllegalArgumentException("a " + bits + "-bit palette has 1 to " + (1 << bits) + " entries, has " + entries);
        }
        this.rowBytes = bits == 8 ? cols : (cols + 1) / 2;
        if (indices.length != (long) rows * rowBytes) {
            throw new IllegalArgumentException("palette indices must be rows × " + rowBytes + " = " + (long) rows * rowBytes
                    + " bytes, are " + indices.length);
        }
        if (codebook.length != (perRow ? (long) rows * entries : entries)) {
            throw new IllegalArgumentException("codebook must hold " + (perRow ? rows + " × " : "") + entries
                    + " values, holds " + codebook.length);
        }
        for (byte v : codebook) {
            if (v == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("codebook holds -128; weights must be in [-127, 127]");
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
        this.indices = indices.clone();
        this.codebook = codebook.clone();
        this.entries = entries;
        this.perRow = perRow;
        this.rowSums = new int[rows];
        byte[] row = new byte[cols];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                int index = index(r, k);
                if (index >= entries) {
                    throw new IllegalArgumentException("palette index " + index + " at row " + r + ", column " + k
                            + " is outside the " + entries + " codebook entries");
                }
            }
            decodeRow(r, row, 0);
            for (byte v : row) {
                rowSums[r] += v;
            }
        }
    }

    private int index(int r, int k) {
        int b = indices[r * rowBytes + (bits == 8 ? k : k >> 1)] & 0xFF;
        return bits == 8 ? b : (k & 1) == 0 ? b & 0xF : b >>> 4;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** Packed indices plus codebook. */
    @Override
    public long bytes() {
        return indices.length + (long) codebook.length;
    }

    @Override
    public int rowSum(int r) {
        return rowSums[r];
    }

    @Override
    public int scratchBytes() {
        return BLOCK * cols;
    }

    @Override
    public void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride, byte[] scratch, int scratchOff) {
        for (int r = rowFrom; r < rowTo; r += BLOCK) {
            int n = Math.min(BLOCK, rowTo - r);
            for (int i = 0; i < n; i++) {
                decodeRow(r + i, scratch, scratchOff + i * cols);
            }
            kernels.gemmInt8(scratch, scratchOff, cols, 0, n, x, xOff, xStride, samples, out, outOff + r, outStride);
        }
    }

    private void decodeRow(int r, byte[] dst, int off) {
        int base = perRow ? r * entries : 0;
        int src = r * rowBytes;
        if (bits == 8) {
            for (int k = 0; k < cols; k++) {
                dst[off + k] = codebook[base + (indices[src + k] & 0xFF)];
            }
            return;
        }
        int k = 0;
        for (; k + 1 < cols; k += 2) {
            int b = indices[src + (k >> 1)];
            dst[off + k] = codebook[base + (b & 0xF)];
            dst[off + k + 1] = codebook[base + ((b >> 4) & 0xF)];
        }
        if (k < cols) {
            dst[off + k] = codebook[base + (indices[src + (k >> 1)] & 0xF)];
        }
    }
}
