package dev.pipit.compress.train;

/**
 * One stage of a {@link Network}, as the trainer runs it on a batch held in flat per-sample arrays.
 * Forward and input-gradient passes are split across threads by sample, weight gradients by output
 * channel, so every sum runs in the same order whatever the thread count (training is deterministic).
 */
public interface Layer {

    /** Shape of one output sample, e.g. {@code [C, H, W]} or {@code [N]}. */
    int[] outputShape();

    /** Elements of one output sample. */
    default int outputSize() {
        int n = 1;
        for (int d : outputShape()) {
            n *= d;
        }
        return n;
    }

    /** Allocates per-batch scratch for up to {@code batch} samples. */
    default void prepare(int batch) {
    }

    /** Computes samples {@code [from, to)} of {@code y} from {@code x}. */
    void forward(float[] x, float[] y, int from, int to);

    /** Writes d(loss)/dx for samples {@code [from, to)}, given the output gradient {@code dy}. */
    void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to);

    /** Output channels to split {@link #weightGradients} over; 0 for layers without parameters. */
    default int channels() {
        return 0;
    }

    /** Accumulates parameter gradients of channels {@code [from, to)} over all {@code n} samples. */
    default void weightGradients(float[] x, float[] dy, int n, int from, int to) {
    }

    /** Trainable parameter arrays (updated in place), and their gradients in the same order. */
    default float[][] parameters() {
        return new float[0][];
    }

    default float[][] gradients() {
        return new float[0][];
    }

    /** Called after every optimizer step: re-apply constraints (masks, palettes) and derived copies. */
    default void afterUpdate() {
    }
}
