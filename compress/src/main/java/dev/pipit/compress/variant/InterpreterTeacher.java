package dev.pipit.compress.variant;

import dev.pipit.compress.train.Teacher;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.Arrays;

/**
 * The fp32 parent as a distillation teacher, run by the runtime's own kernels: the very function whose
 * accuracy the report gives for {@code fp32}, on the same unnormalised [0, 1] pixels as the student.
 */
final class InterpreterTeacher implements Teacher, AutoCloseable {

    private final Interpreter interpreter;
    private final int maxBatch;

    InterpreterTeacher(Graph parent, int maxBatch, int threads) {
        this.interpreter = Interpreter.load(parent, new RuntimeOptions(maxBatch, threads));
        this.maxBatch = maxBatch;
    }

    @Override
    public void logits(float[] images, int n, float[] out) {
        if (n == maxBatch && images.length == n * interpreter.inputSize() && out.length == n * interpreter.outputSize()) {
            interpreter.run(images, n, out);
            return;
        }
        // the interpreter takes arrays of exactly n samples: the trainer's last batch is shorter than its buffers
        float[] y = new float[n * interpreter.outputSize()];
        interpreter.run(Arrays.copyOf(images, n * interpreter.inputSize()), n, y);
        System.arraycopy(y, 0, out, 0, y.length);
    }

    @Override
    public void close() {
        interpreter.close();
    }
}
