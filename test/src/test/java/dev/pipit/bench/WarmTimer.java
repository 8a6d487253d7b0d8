package dev.pipit.bench;

import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.lang.management.ManagementFactory;

/**
 * One reference model in one JVM, outside JMH: runs it for {@code -Dwarm} seconds (default 10), then prints
 * the best µs per inference over 10 windows of 20 and the bytes allocated per inference. Long warm-ups,
 * optionally beside a build, show which state C2 settles in (docs/performance.md, "the JIT failure").
 * Run with the classpath {@code test/bench.sh} builds:
 * {@code java --add-modules jdk.incubator.vector -Dwarm=20 -cp … dev.pipit.bench.WarmTimer cnn 1 int8}.
 */
final class WarmTimer {

    private WarmTimer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[2].matches("fp32|int8")) {
            throw new IllegalArgumentException("usage: WarmTimer <mlp|cnn> <batch> <fp32|int8>");
        }
        Graph fp32 = Workloads.fp32Model(args[0]);
        Graph graph = args[2].equals("int8") ? Workloads.int8Model(fp32) : fp32;
        int batch = Integer.parseInt(args[1]);
        float[] x = Workloads.images(batch);
        Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(batch, 1));
        float[] y = new float[batch * interpreter.outputSize()];
        long end = System.nanoTime() + Long.getLong("warm", 10) * 1_000_000_000L;
        while (System.nanoTime() < end) {
            interpreter.run(x, batch, y);
        }
        double best = Double.MAX_VALUE;
        for (int window = 0; window < 10; window++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                interpreter.run(x, batch, y);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / 20);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId(), before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100; i++) {
            interpreter.run(x, batch, y);
        }
        long perRun = (threads.getThreadAllocatedBytes(thread) - before) / 100;
        System.out.printf("%s batch %d %s: %.2f us per inference, %d B allocated per inference%n", args[0], batch, args[2], best, perRun);
    }
}
