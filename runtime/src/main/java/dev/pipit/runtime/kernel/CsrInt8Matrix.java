package dev.pipit.runtime.kernel;

/**
 * Sparse int8 weights in compressed sparse rows: per row, its non-zero values and their column
 * indices, held as {@code char} (2 bytes) when there are at most 65,536 columns, as {@code int}
 * otherwise. Memory and multiply time scale with the number of non-zeros, not with rows × cols. The
 * multiply is a scalar gather (vector gathers do not pay on these CPUs), identical in every
 * {@link VectorKernels} implementation.
 */
public final class CsrInt8Matrix implements Int8Matrix {

    private final int rows;
    private final int cols;
    private final int[] rowStart;   // rows + 1 entries
    private final char[] narrowColumns;
    private final int[] wideColumns;
    private final byte[] values;
    private final int[] rowSums;

    /**
     * @param rowEnds for each row, the end (exclusive) of its entries in {@code columns} and {@code values};
     *     row {@code r} starts where row {@code r − 1} ends (row 0 at 0)
     * @param columns column of each entry, strictly increasing within a row, in [0, cols)
     * @param values each entry's weight, in [-127, 127]
     */
    public CsrInt8Matrix(int rows, int cols, int[] rowEnds, int[] columns, byte[] values) {
        if (rows < 1 || cols < 1 || rowEnds.length != rows) {
            throw new IllegalArgumentException("CSR row ends must have one entry per row (" + rows + "), have " + rowEnds.length);
        }
        if (columns.length != values.length) {
            throw new IllegalArgumentException("CSR has " + columns.length + " column indices for " + values.length + " values");
        }
        this.rows = rows;
        this.cols = cols;
        this.rowStart = new int[rows + 1];
        this.rowSums = new int[rows];
        for (int r = 0; r < rows; r++) {
            int from = rowStart[r], to = rowEnds[r];
            if (to < from || to > values.length) {
                throw new IllegalArgumentException("CSR row " + r + " ends at " + to + ", outside [" + from + ", " + values.length + "]");
            }
            for (int i = from; i < to; i++) {
                if (columns[i] < 0 || columns[i] >= cols || (i > from && columns[i] <= columns[i - 1])) {
                    throw new IllegalArgumentException("CSR row " + r + " column index " + columns[i]
                            + " is outside [0, " + cols + ") or not increasing");
                }
                if (values[i] == Byte.MIN_VALUE) {
                    throw new IllegalArgumentException("CSR value -128 at entry " + i + "; weights must be in [-127, 127]");
                }
                rowSums[r] += values[i];
            }
            rowStart[r + 1] = to;
        }
        if (rowStart[rows] != values.length) {
            throw new IllegalArgumentException("CSR rows end at " + rowStart[rows] + " but there are " + values.length + " values");
        }
        boolean narrow = cols <= 1 << 16;
        this.narrowColumns = narrow ? new char[columns.length] : null;
        this.wideColumns = narrow ? null : columns.clone();
        if (narrow) {
            for (int i = 0; i < columns.length; i++) {
                narrowColumns[i] = (char) columns[i];
            }
        }
        this.values = values.clone();
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public int nonZeros() {
        return values.length;
    }

    /** Values, column indices (2 or 4 bytes each) and row starts (4 bytes each). */
    @Override
    public long bytes() {
        return values.length * (1L + (narrowColumns != null ? 2 : 4)) + 4L * rowStart.length;
    }

    @Override
    public int rowSum(int r) {
        return rowSums[r];
    }

    @Override
    public int scratchBytes() {
        return 0;
    }

    @Override
    public void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride, byte[] scratch, int scratchOff) {
        for (int r = rowFrom; r < rowTo; r++) {
            int from = rowStart[r], to = rowStart[r + 1];
            for (int s = 0; s < samples; s++) { // the row's entries stay in L1 across samples
                int xs = xOff + s * xStride;
                int sum = 0;
                if (narrowColumns != null) {
                    for (int i = from; i < to; i++) {
                        sum += values[i] * x[xs + narrowColumns[i]];
                    }
                } else {
                    for (int i = from; i < to; i++) {
                        sum += values[i] * x[xs + wideColumns[i]];
                    }
                }
                out[outOff + s * outStride + r] = sum;
            }
        }
    }
}
