package dev.pipit.compress.variant;

/**
 * Epochs over the training set each technique fine-tunes for.
 *
 * @param qat quantization-aware fine-tuning
 * @param sparse gradual pruning (the schedule spans the first two thirds) and recovery
 * @param channels after structured pruning
 * @param palette of the shared values
 * @param lowRank after factoring
 * @param distill training the student (and, for comparison, the same student on labels alone)
 */
public record FineTuneBudget(int qat, int sparse, int channels, int palette, int lowRank, int distill) {

    public FineTuneBudget {
        if (qat < 1 || sparse < 1 || channels < 1 || palette < 1 || lowRank < 1 || distill < 1) {
            throw new IllegalArgumentException("every fine-tuning budget must be at least one epoch");
        }
    }

    /** The budget behind the documented table. */
    public static FineTuneBudget defaults() {
        return new FineTuneBudget(1, 4, 6, 1, 2, 10);
    }

    /** One epoch each: for tests on small subsets. */
    public static FineTuneBudget minimal() {
        return new FineTuneBudget(1, 1, 1, 1, 1, 1);
    }
}
