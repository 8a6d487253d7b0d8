package dev.pipit.compress.train;

/**
 * How to train.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param seed seeds initialisation and shuffling: the same seed gives the same model
 * @param optimizer Adam or SGD with momentum
 * @param learningRate step size
 * @param momentum SGD momentum (ignored by Adam)
 * @param threads worker threads for the batch arithmetic
 */
public record TrainingOptions(int epochs, int batchSize, long seed, OptimizerKind optimizer, float learningRate,
                              float momentum, int threads) {

    public TrainingOptions {
        if (epochs < 1 || batchSize < 1 || threads < 1) {
            throw new IllegalArgumentException("epochs, batch size and threads must be positive");
        }
        if (optimizer == null) {
            throw new IllegalArgumentException("an optimizer is required");
        }
        if (!(learningRate > 0) || momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("learning rate must be positive and momentum in [0, 1)");
        }
    }

    /** The reference recipe: Adam, lr 1e-3, batch 128, all cores. */
    public static TrainingOptions defaults(int epochs, long seed) {
        return new TrainingOptions(epochs, 128, seed, OptimizerKind.ADAM, 1e-3f, 0.9f,
                Runtime.getRuntime().availableProcessors());
    }

    public TrainingOptions withOptimizer(OptimizerKind kind, float rate) {
        return new TrainingOptions(epochs, batchSize, seed, kind, rate, momentum, threads);
    }
}
