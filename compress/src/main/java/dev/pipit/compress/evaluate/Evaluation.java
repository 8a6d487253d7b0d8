package dev.pipit.compress.evaluate;

/**
 * Measured evidence for one variant, all taken with the runtime's own kernels.
 *
 * @param accuracy fraction of the evaluation images classified correctly
 * @param images how many images that fraction is over
 * @param macs multiply-accumulates per sample
 * @param weightBytes constant tensors as the interpreter holds them in RAM
 * @param storedBytes constant tensors as stored in the graph payload
 * @param arenaBytes planned activation arena at batch 1
 * @param p50Micros single-thread median latency at batch 1
 */
public record Evaluation(double accuracy, int images, long macs, long weightBytes, long storedBytes, long arenaBytes,
                         double p50Micros) {

    public Evaluation {
        if (accuracy < 0 || accuracy > 1 || images < 1 || macs < 0 || weightBytes < 0 || storedBytes < 0 || arenaBytes < 0) {
            throw new IllegalArgumentException("evaluation figures out of range");
        }
    }
}
