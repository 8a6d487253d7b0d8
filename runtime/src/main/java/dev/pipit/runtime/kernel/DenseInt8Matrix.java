package dev.pipit.runtime.kernel;

/** Int8 weights as a row-major {@code [rows, cols]} array, multiplied by the vector kernels' GEMM. */
public final class DenseInt8Matrix implements Int8Matrix {

    private final byte[] weights;
    private final int rows;
    private final int cols;
    private final int[] rowSums;

    public DenseInt8Matrix(byte[] weights, int rows, int cols) {
        if (rows < 1 || cols < 1 || weights.length != (long) rows * cols) {
            throw new IllegalArgumentException("dense weights must hold rows × cols = " + rows + " × " + cols
                    + " values, hold " + weights.length);
        }
        this.weights = weights.clone();
        this.rows = rows;
        this.cols = cols;
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
        return weights.length;
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
        return weights[r * cols + k];
    }

    @Override
    public void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride, byte[] scratch, int scratchOff) {
        kernels.gemmInt8(weights, 0, cols, rowFrom, rowTo, x, xOff, xStride, samples, out, outOff, outStride);
    }
}
