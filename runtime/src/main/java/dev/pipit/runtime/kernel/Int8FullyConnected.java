package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Quantization;

/**
 * Int8 fully-connected layer with TFLite's quantized semantics: weights int8 [out, in] (dense, CSR or
 * palettized, see {@link Int8Matrix}), symmetric per output channel (zero point 0); activations int8
 * asymmetric per tensor; bias int32 with scale {@code inputScale · weightScale[c]}. Per output {@code c}:
 * {@code acc = Σ w·(x − x_zp) + bias}, requantized by {@code inputScale · weightScale[c] / outputScale}
 * (double rounding), plus the output zero point, clamped to the fused activation's range
 * ({@link Int8OutputStage}).
 *
 * <p>A batch is multiplied as one GEMM per tile of samples (as many as the accumulator scratch holds),
 * so each weight row is read once per tile instead of once per sample.
 */
public final class Int8FullyConnected {

    private final VectorKernels kernels;
    private final Int8Matrix weights;
    private final int in;
    private final int out;
    private final Int8OutputStage stage;

    /**
     * @param weights row-major [out, in], values in [-127, 127]
     * @param weightQuantization per channel along axis 0, or per tensor; zero points 0
     * @param bias int32 [out], or null for none
     */
    public Int8FullyConnected(VectorKernels kernels, byte[] weights, int out, int in,
                              Quantization weightQuantization, int[] bias,
                              Quantization input, Quantization output, Activation activation) {
        this(kernels, new DenseInt8Matrix(weights, out, in), weightQuantization, bias, input, output,
                ActivationRange.of(activation));
    }

    /**
     * @param weights [out, in] in any stored form
     * @param weightQuantization per channel (one scale per row), or per tensor; zero points 0
     * @param bias int32 [out], or null for none
     */
    public Int8FullyConnected(VectorKernels kernels, Int8Matrix weights, Quantization weightQuantization, int[] bias,
                              Quantization input, Quantization output, ActivationRange activation) {
        this.kernels = kernels;
        this.weights = weights;
        this.in = weights.cols();
        this.out = weights.rows();
        this.stage = new Int8OutputStage(weights, weightQuantization, bias, input, output, activation);
    }

    /** Bytes of the constants this layer holds: the weights in their stored form, four per (folded) bias. */
    public long weightBytes() {
        return weights.bytes() + 4L * out;
    }

    /** Scratch bytes each concurrent caller of {@link #run} must pass (palettized weights decode into it). */
    public int scratchBytes() {
        return weights.scratchBytes();
    }

    /** As {@link #run(byte[], int, byte[], int, int, int, int, int[], byte[], int)} for weights needing no scratch. */
    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch, int rowFrom, int rowTo, int[] acc) {
        run(x, xOff, y, yOff, batch, rowFrom, rowTo, acc, null, 0);
    }

    /**
     * Output channels {@code [rowFrom, rowTo)} of {@code batch} samples; {@code x} holds [batch, in] from
     * {@code xOff}, {@code y} receives [batch, out] from {@code yOff}. {@code acc} is scratch of at least
     * {@code out} ints, laid out [samples, out], of which only columns {@code [rowFrom, rowTo)} are touched;
     * the more samples it holds, the fewer passes over the weights.
     */
    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch, int rowFrom, int rowTo, int[] acc,
                    byte[] scratch, int scratchOff) {
        int tile = Math.max(1, acc.length / out);
        for (int b0 = 0; b0 < batch; b0 += tile) {
            int samples = Math.min(tile, batch - b0);
            weights.multiply(kernels, rowFrom, rowTo, x, xOff + b0 * in, in, samples, acc, 0, out, scratch, scratchOff);
            for (int s = 0; s < samples; s++) {
                int yRow = yOff + (b0 + s) * out;
                for (int c = rowFrom; c < rowTo; c++) {
                    y[yRow + c] = stage.apply(c, acc[s * out + c]);
                }
            }
        }
    }
}
