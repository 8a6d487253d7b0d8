package dev.pipit.runtime;

/**
 * How an interpreter is set up.
 *
 * @param maxBatch the largest batch {@link Interpreter#run} accepts; the arena is planned for it
 * @param threads intra-op threads (1 = run on the caller's thread)
 */
public record RuntimeOptions(int maxBatch, int threads) {

    public RuntimeOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(1, 1);
    }
}
