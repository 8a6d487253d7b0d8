package dev.pipit.runtime;

import dev.pipit.runtime.exec.Program;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.kernel.VectorKernelsProvider;
import java.util.Objects;

/**
 * Runs a validated, memory-planned graph. Created once per loaded variant; {@link #run} allocates
 * nothing. Inputs and outputs are fp32 at the boundary; int8 graphs quantize and dequantize inside.
 *
 * <p>Not thread-safe: one interpreter serves one caller at a time (its arena is reused). With
 * {@code threads > 1} it owns daemon threads, stopped by {@link #close} or once it is unreachable.
 */
public final class Interpreter implements AutoCloseable {

    private final Program program;
    private final int maxBatch;

    private Interpreter(Program program, int maxBatch) {
        this.program = program;
        this.maxBatch = maxBatch;
    }

    /**
     * Validates the graph (operators, attributes, shapes, quantization, compressed-weight encodings;
     * see {@link dev.pipit.runtime.graph.OpType}), folds batch normalizations into the layers before
     * them where it can, and plans its arena (activations and kernel scratch) for up to
     * {@code options.maxBatch()} samples.
     *
     * @throws InvalidGraphException naming the node or tensor at fault
     */
    public static Interpreter load(Graph graph, RuntimeOptions options) {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(options, "options");
        return new Interpreter(Program.compile(graph, options.maxBatch(), options.threads(), VectorKernelsProvider.get()),
                options.maxBatch());
    }

    /** Elements of one input sample (the input shape without its batch dimension). */
    public int inputSize() {
        return program.inputSize();
    }

    /** Elements of one output sample. */
    public int outputSize() {
        return program.outputSize();
    }

    /**
     * Runs {@code batch} samples: {@code input} holds {@code batch * inputSize()} floats, {@code output}
     * receives {@code batch * outputSize()} floats.
     *
     * @throws IllegalArgumentException if the arrays or batch do not fit the graph
     */
    public void run(float[] input, int batch, float[] output) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch must be in [1, " + maxBatch + "] (maxBatch), was " + batch);
        }
        if (input == null || input.length != (long) batch * inputSize()) {
            throw new IllegalArgumentException("input must hold batch × inputSize = " + batch + " × " + inputSize()
                    + " = " + (long) batch * inputSize() + " floats, holds " + (input == null ? "null" : input.length));
        }
        if (output == null || output.length != (long) batch * outputSize()) {
            throw new IllegalArgumentException("output must hold batch × outputSize = " + batch + " × " + outputSize()
                    + " = " + (long) batch * outputSize() + " floats, holds " + (output == null ? "null" : output.length));
        }
        program.run(input, batch, output);
    }

    /** Bytes of constant tensors as held in memory: compressed weights count as stored (CSR, palette). */
    public long weightBytes() {
        return program.weightBytes();
    }

    /**
     * Bytes of the planned arena at {@code maxBatch}: activations and kernel scratch (im2col tiles,
     * decoded palette rows, dynamically quantized inputs). The int32 accumulators of the int8 kernels
     * (at most 64 samples × the widest layer's channels) are kept apart and not counted.
     */
    public long arenaBytes() {
        return program.arenaBytes();
    }

    /** Stops the intra-op threads ({@code threads > 1}); later runs fail. Idempotent. */
    @Override
    public void close() {
        program.close();
    }
}
