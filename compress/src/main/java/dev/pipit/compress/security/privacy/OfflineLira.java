package dev.pipit.compress.security.privacy;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.compress.train.WeightedLayer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The offline likelihood-ratio attack (LiRA, Carlini et al. 2022): shadow models of the target's architecture are
 * trained on data that excludes every candidate, so each is an OUT model for all of them; per candidate, the
 * logit-scaled confidence of the shadows is fitted by a Gaussian, and a target whose confidence lies far above it
 * is called a member. With a handful of shadows the per-candidate variance is too noisy, so the variance is pooled
 * over candidates (the "global variance" variant the paper recommends for few shadows): the score is
 * {@code (φ_target − μ_out) / σ_out}, a one-sided z-score.
 */
public final class OfflineLira {

    /**
     * How the shadows are trained (Adam 1e-3, cosine-decayed, batch 128).
     *
     * @param shadows OUT models
     * @param images training images per shadow (a random subset of the pool, different for each)
     * @param epochs epochs per shadow
     */
    public record Options(int shadows, int images, int epochs) {
        public Options {
            if (shadows < 2 || images < 1 || epochs < 1) {
                throw new IllegalArgumentException("LiRA needs at least two shadows of at least one image and epoch");
            }
        }
    }

    private final double[] meanOut;
    private final double pooledStd;

    private OfflineLira(double[] meanOut, double pooledStd) {
        this.meanOut = meanOut;
        this.pooledStd = pooledStd;
    }

    /**
     * Trains the shadows from fresh initialisations of {@code architecture} on images {@code pool} of {@code source}
     * (which must hold no candidate) and fits the OUT distribution of every candidate.
     */
    public static OfflineLira fit(Network architecture, LabeledImages source, int[] pool, LabeledImages candidates,
                                  Options options, long seed, int threads, PrintStream log) {
        Random random = new Random(seed);
        int n = candidates.count();
        double[][] phi = new double[options.shadows()][];
        for (int s = 0; s < options.shadows(); s++) {
            long start = System.nanoTime();
            int[] chosen = sample(pool.length, Math.min(options.images(), pool.length), random);
            for (int k = 0; k < chosen.length; k++) {
                chosen[k] = pool[chosen[k]];
            }
            LabeledImages data = ImageSelection.pick(source, chosen);
            Network shadow = reinitialised(architecture, random);
            NetworkTrainer.train(shadow, data, null, new TrainingOptions(options.epochs(), 128, random.nextLong(),
                    OptimizerKind.ADAM, 1e-3f, 0.9f, threads, true), e -> { });
            float[] input = new float[n * candidates.imageSize()];
            candidates.copyImages(0, n, input, 0);
            phi[s] = MembershipScores.scaledConfidence(Calibrator.run(GraphLowering.toGraph(shadow), input, n), candidates);
            log.printf(Locale.ROOT, "  membership: shadow %d/%d on %d images, %d epochs, %.0f s%n", s + 1, options.shadows(),
                    data.count(), options.epochs(), (System.nanoTime() - start) / 1e9);
        }
        double[] mean = new double[n];
        double squares = 0;
        for (int i = 0; i < n; i++) {
            for (double[] p : phi) {
                mean[i] += p[i] / phi.length;
            }
            for (double[] p : phi) {
                squares += (p[i] - mean[i]) * (p[i] - mean[i]);
            }
        }
        double std = Math.sqrt(squares / ((double) n * (phi.length - 1)));
        return new OfflineLira(mean, Math.max(std, 1e-6));
    }

    /** Membership scores of the target's scaled confidences on the candidates, in their order. */
    public double[] scores(double[] targetPhi) {
        if (targetPhi.length != meanOut.length) {
            throw new IllegalArgumentException(targetPhi.length + " confidences for " + meanOut.length + " candidates");
        }
        double[] out = new double[targetPhi.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (targetPhi[i] - meanOut[i]) / pooledStd;
        }
        return out;
    }

    /** {@code k} distinct indices in {@code [0, n)}, seeded (partial Fisher–Yates). */
    static int[] sample(int n, int k, Random random) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    /** The same architecture with PyTorch's default initialisation (uniform ±1/√fan-in), seeded. */
    static Network reinitialised(Network architecture, Random random) {
        Network net = architecture.copy();
        for (WeightedLayer l : net.weighted()) {
            float bound = (float) (1 / Math.sqrt(l.cols()));
            float[] w = l.weight();
            float[] b = l.bias();
            for (int i = 0; i < w.length; i++) {
                w[i] = (random.nextFloat() * 2 - 1) * bound;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (random.nextFloat() * 2 - 1) * bound;
            }
            l.afterUpdate();
        }
        return net;
    }
}
