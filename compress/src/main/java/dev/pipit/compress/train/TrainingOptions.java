package dev.pipit.compress.train;

/**
 * How to train.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param seed seeds initialisation and shuffling: the same seed gives the same model
 * @param optimizer Adam or SGD with momentum
 * @param learningRate step size (the peak one under cosine decay)
 * @param momentum SGD momentum (ignored by Adam)
 * @param threads worker threads for the batch arithmetic
 * @param cosineDecay decay the learning rate to zero along a half cosine over all steps
 */
public record TrainingOptions(int epochs, int batchSize, long seed, OptimizerKind optimizer, float learningRate,
                              float momentum, int threads, boolean cosineDecay) {

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

    /** A constant learning rate. */
    public TrainingOptions(int epochs, int batchSize, long seed, OptimizerKind optimizer, float learningRate,
                           float momentum, int threads) {
        this(epochs, batchSize, seed, optimizer, learningRate, momentum, threads, false);
    }

    /** The reference recipe: Adam, lr 1e-3, batch 128, all cores. */
    public static TrainingOptions defaults(int epochs, long seed) {
        return new TrainingOptions(epochs, 128, seed, OptimizerKind.ADAM, 1e-3f, 0.9f,
                Runtime.getRuntime().availableProcessors());
    }

    public TrainingOptions withOptimizer(OptimizerKind kind, float rate) {
        return new TrainingOptions(epochs, batchSize, seed, kind, rate, momentum, threads, cosineDecay);
    }

    public TrainingOptions withEpochs(int count) {
        return new TrainingOptions(count, batchSize, seed, optimizer, learningRate, momentum, threads, cosineDecay);
    }

    public TrainingOptions withCosineDecay(boolean on) {
        return new TrainingOptions(epochs, batchSize, seed, optimizer, learningRate, momentum, threads, on);
    }
}
