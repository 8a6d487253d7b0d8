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

    /**
     * Int8 convolution tile vectorised across output pixels (im2col-free for the weights, which stay row-major):
     * for each channel {@code c < channels} and pixel {@code p < stride},
     * {@code Σ_t w[wOff + c·k + t] · patch[patchOff + t·stride + p]} into {@code acc[accOff + c·stride ..)}, in an
     * order private to the implementation that only its {@link #requantizeInt8} reads. {@code stride} is a
     * multiple of {@link #PIXEL_BLOCK}, so a few output channels share each patch load.
     */
    void convInt8(byte[] w, int wOff, int k, int channels, byte[] patch, int patchOff, int stride, int[] acc, int accOff);

    /**
     * The epilogue of {@link #convInt8}: channel {@code c < channels}'s first {@code pixels} accumulators
     * through {@code stage}'s channel {@code channel0 + c}, to {@code y[yOff + c·yStride + p]}.
     */
    void requantizeInt8(int[] acc, int accOff, int stride, int channels, Int8OutputStage stage, int channel0, int pixels,
                        byte[] y, int yOff, int yStride);

    /**
     * As {@link #convInt8} in fp32, with its epilogue: channel {@code c < channels}'s first {@code pixels}
     * sums plus {@code bias[biasOff + c]}, clamped to {@code [min, max]}, to {@code y[yOff + c·yStride + p]}.
     */
    void convFloat(float[] w, int wOff, int k, int channels, float[] patch, int patchOff, int stride, float[] bias, int biasOff,
                   float min, float max, int pixels, float[] y, int yOff, int yStride);

    /**
     * Max pooling 2×2, stride 2, of one int8 plane: {@code y[yOff + oy·outW + ox]} = the maximum of
     * {@code x[xOff + (2·oy + dy)·inW + 2·ox + dx]} over {@code dy, dx ∈ {0, 1}}, for {@code oy < outH, ox < outW}.
     */
    void maxPool2x2Int8(byte[] x, int xOff, int inW, int outH, int outW, byte[] y, int yOff);

    /** Pixels per block of {@link #convInt8}'s tiles: the most byte lanes of any supported vector. */
    int PIXEL_BLOCK = 64;
}
