package dev.pipit.runtime.kernel;

/**
 * Dense int8 weights {@code [rows, cols]}: in {@link Int8Packing}'s layout (rows padded to blocks of 16,
 * columns to quads) when the JVM's kernels run it faster ({@link VectorKernels#packsInt8()}), row-major
 * otherwise. Both layouts multiply correctly with every implementation.
 */
public final class DenseInt8Matrix implements Int8Matrix {

    private static final boolean PACKED = VectorKernelsProvider.get().packsInt8();

    private final byte[] weights;
    private final boolean packed;
    private final int rows;
    private final int cols;
    private final int quads;
    private final int[] rowSums;

    public DenseInt8Matrix(byte[] weights, int rows, int cols) {
        if (rows < 1 || cols < 1 || weights.length != (long) rows * cols) {
            throw new IllegalArgumentException("dense weights must hold rows × cols = " + rows + " × " + cols
                    + " values, hold " + weights.length);
        }
        this.packed = PACKED;
        this.weights = packed ? Int8Packing.pack(weights, rows, cols) : weights.clone();
        this.rows = rows;
        this.cols = cols;
        this.quads = Int8Packing.quads(cols);
        this.rowSums = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                rowSums[r] += weights[r * cols + k];
            }
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return (long) rows * cols; // the values; packed block padding (< 16 rows, < 4 columns) is not counted
    }

    @Override
    public int rowSum(int r) {
        return rowSums[r];
    }

    @Override
    public int scratchBytes() {
        return 0;
    }

    /** Weight {@code [r][k]}, for kernels that walk the weights directly (depthwise convolution). */
    byte get(int r, int k) {
        return weights[packed ? Int8Packing.index(r, k, quads) : r * cols + k];
    }

    @Override
    public void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride, byte[] scratch, int scratchOff) {
        if (!packed) {
            kernels.gemmInt8(weights, 0, cols, rowFrom, rowTo, x, xOff, xStride, samples, out, outOff, outStride);
        } else if (samples == 1) {
            kernels.gemvInt8Packed(weights, quads, cols, rowFrom, rowTo, x, xOff, out, outOff);
        } else {
            kernels.gemmInt8Packed(weights, quads, cols, rowFrom, rowTo, x, xOff, xStride, samples, out, outOff, outStride);
        }
    }
}
