package dev.pipit.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.runtime.graph.Graph;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterpreterAllocationTest {

    private static Graph graph(String name) {
        return switch (name) {
            case "mlp" -> Int8Mlp.random(18, 64, 48, 10).graph();
            case "cnn" -> Int8Cnn.random(19).graph(); // convolutions (im2col, depthwise), pools, ADD, palette, CSR, softmax
            case "fp32-cnn" -> FloatCnn.random(20).graph(); // fp32 convolutions, batch norm, pools, FC, ADD, clip
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * How it is checked: {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} of the calling
     * thread (HotSpot's per-thread TLAB accounting) before and after 1,000 runs of each batch size, after 20,000
     * warm-up runs so C2 has compiled the kernels (interpreted Vector API code boxes vectors). The measurement is
     * repeated up to five times: a recompilation still in progress does not fail it, a kernel that keeps
     * allocating does. The slack of 1 KB covers the measurement itself. Workers (threads = 2) are separate
     * threads: their loops allocate nothing by construction (volatile hand-off, park/unpark), and the caller's
     * share is measured here.
     */
    @ParameterizedTest
    @CsvSource({"mlp, 1", "mlp, 2", "cnn, 1", "cnn, 2", "fp32-cnn, 1", "fp32-cnn, 2"})
    void run_afterWarmUp_allocatesNothing(String name, int threads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        try (Interpreter interpreter = Interpreter.load(graph(name), new RuntimeOptions(2, threads))) {
            int in = interpreter.inputSize(), out = interpreter.outputSize();
            float[] x1 = new float[in], y1 = new float[out], x2 = new float[2 * in], y2 = new float[2 * out];
            for (int i = 0; i < x2.length; i++) {
                x2[i] = (float) Math.sin(i);
            }
            for (int i = 0; i < 10_000; i++) {
                interpreter.run(x2, 2, y2);
                interpreter.run(x1, 1, y1);
            }
            // Up to five measured rounds: C2 may still be recompiling a kernel (OSR to normal, or after a trap) and
            // boxes vectors until it is done; a kernel that keeps allocating fails every round.
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 5 && allocated >= 1024; round++) {
                long before = mx.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 1_000; i++) {
                    interpreter.run(x2, 2, y2);
                    interpreter.run(x1, 1, y1);
                }
                allocated = mx.getThreadAllocatedBytes(thread) - before;
            }
            assertTrue(allocated < 1024, name + " run allocated " + allocated + " bytes over 2,000 calls");
        }
    }
}
