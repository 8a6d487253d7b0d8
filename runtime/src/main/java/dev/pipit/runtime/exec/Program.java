package dev.pipit.runtime.exec;

import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.kernel.VectorKernels;

/**
 * A graph compiled to a fixed list of steps over one preallocated {@link Frame}. {@link #run} allocates
 * nothing and does not check its arguments (the {@code Interpreter} facade does). Not thread-safe.
 */
public final class Program implements AutoCloseable {

    private final Step[] steps;
    private final Frame frame;
    private final WorkerTeam team;
    private final int inputSize;
    private final int outputSize;
    private final long arenaBytes;
    private final long weightBytes;

    Program(Step[] steps, Frame frame, WorkerTeam team, int inputSize, int outputSize, long arenaBytes, long weightBytes) {
        this.steps = steps;
        this.frame = frame;
        this.team = team;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.arenaBytes = arenaBytes;
        this.weightBytes = weightBytes;
        if (team != null) {
            team.closeWhenUnreachable(this);
        }
    }

    /**
     * Validates and compiles {@code graph}.
     *
     * @throws dev.pipit.runtime.InvalidGraphException naming the node or tensor at fault
     */
    public static Program compile(Graph graph, int maxBatch, int threads, VectorKernels kernels) {
        return GraphCompiler.compile(graph, maxBatch, threads, kernels);
    }

    public void run(float[] input, int batch, float[] output) {
        frame.input = input;
        frame.output = output;
        try {
            for (int i = 0; i < steps.length; i++) {
                steps[i].run(frame, batch);
            }
        } finally {
            frame.input = null; // hold no caller arrays between runs
            frame.output = null;
        }
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    public long arenaBytes() {
        return arenaBytes;
    }

    public long weightBytes() {
        return weightBytes;
    }

    /** Stops the intra-op threads, if any. */
    @Override
    public void close() {
        if (team != null) {
            team.close();
        }
    }
}
