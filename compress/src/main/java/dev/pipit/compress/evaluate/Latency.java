package dev.pipit.compress.evaluate;

import dev.pipit.runtime.Interpreter;
import java.util.Arrays;

/**
 * Wall-clock latency of {@link Interpreter#run} calls.
 *
 * @param batch samples per call
 * @param iterations measured calls (after warm-up)
 * @param p50Micros median per call
 * @param p90Micros 90th percentile per call
 * @param meanMicros mean per call
 */
public record Latency(int batch, int iterations, double p50Micros, double p90Micros, double meanMicros) {

    /**
     * Runs {@code warmup} unmeasured calls (so C2 has compiled the kernels), then {@code iterations}
     * timed ones on {@code inputs} (cycled through, {@code batch} samples each).
     */
    public static Latency measure(Interpreter interpreter, float[] inputs, int batch, int warmup, int iterations) {
        int size = interpreter.inputSize();
        int available = inputs.length / size / batch;
        if (available < 1 || iterations < 1) {
            throw new IllegalArgumentException("need at least one batch of " + batch + " inputs and one iteration");
        }
        float[][] batches = new float[available][];
        for (int i = 0; i < available; i++) {
            batches[i] = Arrays.copyOfRange(inputs, i * batch * size, (i + 1) * batch * size);
        }
        float[] out = new float[batch * interpreter.outputSize()];
        for (int i = 0; i < warmup; i++) {
            interpreter.run(batches[i % available], batch, out);
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            interpreter.run(batches[i % available], batch, out);
            nanos[i] = System.nanoTime() - start;
        }
        double mean = Arrays.stream(nanos).average().orElse(0) / 1000.0;
        Arrays.sort(nanos);
        return new Latency(batch, iterations, percentile(nanos, 0.5), percentile(nanos, 0.9), mean);
    }

    private static double percentile(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1000.0;
    }
}
