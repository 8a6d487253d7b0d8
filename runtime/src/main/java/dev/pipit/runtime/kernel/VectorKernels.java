package dev.pipit.runtime.kernel;

/**
 * The inner loops worth vectorising, with a scalar and a Vector API implementation behind one interface
 * (Lucene's pattern). {@link VectorKernelsProvider#get()} picks one at start-up. Int8 results are exact
 * and identical across implementations; fp32 results differ only by summation order.
 *
 * <p>Int8 precondition: weights {@code w} are in [-127, 127] (TFLite's weight range), so two products
 * with any int8 activation fit in 16 bits; {@code -128} weights may give wrong results.
 */
public interface VectorKernels {

    /** Short description for logs, e.g. {@code "panama-256"}. */
    String name();

    /**
     * Whether dense int8 weights should be stored packed ({@link #gemmInt8Packed}) rather than row-major
     * ({@link #gemmInt8}): the faster of the two for this implementation, as measured.
     */
    boolean packsInt8();

    /** {@code Σ a[aOff + k] · b[bOff + k]} over {@code k < n}. */
    int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n);

    /** {@code Σ a[aOff + k] · b[bOff + k]} over {@code k < n}. */
    float dotFloat(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * Rows {@code [rowFrom, rowTo)} of a matrix-vector product: {@code out[outOff + r] = Σ_k w[r·cols + k] ·
     * x[xOff + k]}, with {@code w} row-major {@code [rows, cols]}.
     */
    void gemvInt8(byte[] w, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff);

    /** As {@link #gemvInt8}, in fp32. */
    void gemvFloat(float[] w, int cols, int rowFrom, int rowTo, float[] x, int xOff, float[] out, int outOff);

    /**
     * Rows {@code [rowFrom, rowTo)} of a matrix product with {@code samples} vectors: for each sample
     * {@code s}, {@code out[outOff + s·outStride + r] = Σ_k w[wOff + r·cols + k] · x[xOff + s·xStride + k]}.
     * Implementations reuse each loaded weight row across several samples (register tiling), so weights
     * are read once per batch rather than once per sample.
     */
    void gemmInt8(byte[] w, int wOff, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                  int[] out, int outOff, int outStride);

    /** As {@link #gemmInt8}, in fp32. */
    void gemmFloat(float[] w, int wOff, int cols, int rowFrom, int rowTo, float[] x, int xOff, int xStride, int samples,
                   float[] out, int outOff, int outStride);

    /**
     * Rows {@code [rowFrom, rowTo)} of one sample's product with weights {@code [rows, cols]} packed by
     * {@link Int8Packing} ({@code quads = ceil(cols / 4)}): {@code out[outOff + r] = Σ_k w[r][k] · x[xOff + k]}.
     */
    void gemvInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int[] out, int outOff);

    /**
     * As {@link #gemvInt8Packed} for {@code samples} vectors: {@code out[outOff + s·outStride + r] =
     * Σ_k w[r][k] · x[xOff + s·xStride + k]}.
     */
    void gemmInt8Packed(byte[] w, int quads, int cols, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                        int[] out, int outOff, int outStride);
}
