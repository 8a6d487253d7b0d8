package dev.pipit.compress.train;

/**
 * What one epoch achieved.
 *
 * @param epoch 1-based
 * @param loss mean training cross-entropy over the epoch's batches
 * @param testAccuracy fraction of the test set classified correctly after the epoch
 * @param millis wall time of the epoch's training (without the test pass)
 */
public record EpochStats(int epoch, double loss, double testAccuracy, long millis) {
}
