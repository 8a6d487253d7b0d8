package dev.pipit.compress.train;

/**
 * DP-SGD's knobs (Abadi et al. 2016).
 *
 * @param epochs passes over the data, each {@code round(N / expectedBatch)} steps
 * @param expectedBatch the Poisson-sampled batch's expected size {@code q·N}
 * @param noiseMultiplier σ: the noise added to the sum of clipped gradients has standard deviation σ·C
 * @param clipNorm C: every example's gradient is scaled to an L2 norm of at most C
 * @param learningRate Adam's step size (the noisy gradient is post-processed, so the optimizer costs no privacy)
 * @param seed seeds sampling and noise
 * @param threads threads computing per-example gradients
 */
public record DpSgdOptions(int epochs, int expectedBatch, double noiseMultiplier, double clipNorm, float learningRate,
                           long seed, int threads) {

    public DpSgdOptions {
        if (epochs < 1 || expectedBatch < 1 || threads < 1) {
            throw new IllegalArgumentException("epochs, batch and threads must be positive");
        }
        if (!(noiseMultiplier >= 0) || !(clipNorm > 0) || !(learningRate > 0)) {
            throw new IllegalArgumentException("DP-SGD needs σ ≥ 0, C > 0 and a positive learning rate");
        }
    }

    /** The sampling rate q for {@code n} training examples. */
    public double samplingRate(int n) {
        return Math.min(1.0, (double) expectedBatch / n);
    }

    /** Steps over {@code n} training examples. */
    public long steps(int n) {
        return (long) epochs * Math.max(1, Math.round((double) n / expectedBatch));
    }
}
