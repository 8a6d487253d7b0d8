package dev.pipit.compress.prune;

import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.WeightedLayer;
import java.util.Arrays;
import java.util.List;

/**
 * Global magnitude pruning with the gradual schedule of Zhu and Gupta (2017): between steps
 * {@code begin} and {@code end}, every {@code frequency} steps, the smallest-magnitude weights of all
 * layers together are masked so the sparsity follows {@code s(t) = s_f·(1 − (1 − (t − begin)/(end − begin))³)};
 * training continues on the remaining weights. Biases are never pruned.
 */
public final class MagnitudePruning implements NetworkTrainer.StepListener {

    private final List<WeightedLayer> layers;
    private final double finalSparsity;
    private final long begin;
    private final long end;
    private final long frequency;

    public MagnitudePruning(Network net, double finalSparsity, long begin, long end, long frequency) {
        if (finalSparsity < 0 || finalSparsity >= 1 || end <= begin || frequency < 1) {
            throw new IllegalArgumentException("pruning needs a sparsity in [0, 1) and begin < end");
        }
        this.layers = net.weighted();
        this.finalSparsity = finalSparsity;
        this.begin = begin;
        this.end = end;
        this.frequency = frequency;
    }

    /** The target sparsity after {@code step} steps. */
    public double sparsityAt(long step) {
        if (step < begin) {
            return 0;
        }
        double progress = Math.min(1.0, (double) (step - begin) / (end - begin));
        return finalSparsity * (1 - Math.pow(1 - progress, 3));
    }

    @Override
    public void afterStep(long step) {
        if (step >= begin && (step - begin) % frequency == 0 && step <= end + frequency) {
            prune(layers, sparsityAt(step));
        }
    }

    /** Masks the {@code sparsity} fraction of smallest-magnitude weights across {@code layers}. */
    public static void prune(List<WeightedLayer> layers, double sparsity) {
        int total = layers.stream().mapToInt(l -> l.weight().length).sum();
        float[] magnitudes = new float[total];
        int k = 0;
        for (WeightedLayer l : layers) {
            for (float w : l.weight()) {
                magnitudes[k++] = Math.abs(w);
            }
        }
        Arrays.sort(magnitudes);
        int zeros = (int) Math.round(sparsity * total);
        float threshold = zeros == 0 ? -1f : magnitudes[zeros - 1];
        int ties = 0; // weights equal to the threshold (pruned ones are 0): prune only as many as the target needs
        for (int i = zeros - 1; i >= 0 && magnitudes[i] == threshold; i--) {
            ties++;
        }
        for (WeightedLayer l : layers) {
            float[] w = l.weight();
            float[] mask = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                float m = Math.abs(w[i]);
                boolean pruned = m < threshold || (m == threshold && ties-- > 0);
                mask[i] = pruned ? 0f : 1f;
            }
            l.setMask(mask);
        }
    }
}
