package dev.pipit.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterpreterAllocationTest {

    /**
     * How it is checked: {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} of the calling
     * thread (HotSpot's per-thread TLAB accounting) before and after 1,000 runs, after 20,000 warm-up runs (10,000 of each batch size)
     * so C2 has compiled the kernels (interpreted Vector API code boxes vectors). The slack of 1 KB covers
     * the measurement itself. Workers (threads = 2) are separate threads: their loops allocate nothing by
     * construction (volatile hand-off, park/unpark), and the caller's share is measured here.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void run_afterWarmUp_allocatesNothing(int threads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Int8Mlp mlp = Int8Mlp.random(18, 64, 48, 10);
        try (Interpreter interpreter = Interpreter.load(mlp.graph(), new RuntimeOptions(2, threads))) {
            float[] x1 = new float[64], y1 = new float[10], x2 = new float[2 * 64], y2 = new float[2 * 10];
            for (int i = 0; i < 10_000; i++) {
                interpreter.run(x2, 2, y2);
                interpreter.run(x1, 1, y1);
            }
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 1_000; i++) {
                interpreter.run(x2, 2, y2);
                interpreter.run(x1, 1, y1);
            }
            long allocated = mx.getThreadAllocatedBytes(thread) - before;
            assertTrue(allocated < 1024, "run allocated " + allocated + " bytes over 2,000 calls");
        }
    }
}
