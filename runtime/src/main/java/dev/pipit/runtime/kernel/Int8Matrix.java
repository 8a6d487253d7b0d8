package dev.pipit.runtime.kernel;

/**
 * Int8 weights {@code [rows, cols]}, values in [-127, 127], in the form they are held in memory: dense,
 * sparse (CSR, bitmap) or palettized. Kernels multiply through this interface, so compressed weights are never
 * expanded to a dense copy; all forms give bit-identical products.
 */
public sealed interface Int8Matrix permits DenseInt8Matrix, CsrInt8Matrix, BitmapInt8Matrix, PalettizedInt8Matrix {

    int rows();

    int cols();

    /** Bytes the weights occupy in memory, in their stored form. */
    long bytes();

    /** {@code Σ_k w[r][k]}: folds an activation zero point into the bias. */
    int rowSum(int r);

    /** Scratch bytes {@link #multiply} needs per concurrent caller (0 when none). */
    int scratchBytes();

    /**
     * Rows {@code [rowFrom, rowTo)} times {@code samples} vectors, exactly:
     * {@code out[outOff + s·outStride + r] = Σ_k w[r][k] · x[xOff + s·xStride + k]}.
     *
     * @param scratch at least {@link #scratchBytes()} bytes from {@code scratchOff}, owned by this caller
     */
    void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                  int[] out, int outOff, int outStride, byte[] scratch, int scratchOff);
}
