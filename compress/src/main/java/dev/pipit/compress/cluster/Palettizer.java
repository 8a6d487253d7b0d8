package dev.pipit.compress.cluster;

import dev.pipit.compress.train.WeightedLayer;
import java.util.Arrays;

/**
 * Weight clustering (Han et al., "Deep Compression"): one-dimensional k-means over a layer's weights,
 * initialised linearly between the smallest and largest weight (which keeps the rare large weights,
 * unlike density-based initialisation) and iterated to convergence. Deterministic.
 */
public final class Palettizer {

    private static final int MAX_ITERATIONS = 50;

    /**
     * @param assignment cluster of every weight
     * @param centroids the shared values
     */
    public record Palette(int[] assignment, float[] centroids) {
    }

    private Palettizer() {
    }

    public static Palette cluster(float[] weights, int clusters) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float w : weights) {
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        float[] centroids = new float[clusters];
        for (int k = 0; k < clusters; k++) {
            centroids[k] = clusters == 1 ? (min + max) / 2 : min + (max - min) * k / (clusters - 1);
        }
        int[] assignment = new int[weights.length];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            boolean changed = assign(weights, centroids, assignment) || iteration == 0;
            double[] sum = new double[clusters];
            int[] count = new int[clusters];
            for (int i = 0; i < weights.length; i++) {
                sum[assignment[i]] += weights[i];
                count[assignment[i]]++;
            }
            for (int k = 0; k < clusters; k++) {
                if (count[k] > 0) {
                    centroids[k] = (float) (sum[k] / count[k]);
                }
            }
            if (!changed) {
                break;
            }
        }
        assign(weights, centroids, assignment);
        return new Palette(assignment, centroids);
    }

    /** Clusters the layer's weights and ties them to their centroids for fine-tuning. */
    public static Palette apply(WeightedLayer layer, int clusters) {
        Palette p = cluster(layer.weight(), clusters);
        layer.setPalette(p.assignment(), clusters);
        return p;
    }

    /** The palette the layer's (tied) weights currently use: its distinct values in cluster order. */
    public static float[] centroidsOf(WeightedLayer layer, Palette palette) {
        float[] c = palette.centroids().clone();
        float[] w = layer.weight();
        for (int i = 0; i < w.length; i++) {
            c[palette.assignment()[i]] = w[i];
        }
        return c;
    }

    private static boolean assign(float[] weights, float[] centroids, int[] assignment) {
        float[] sorted = centroids.clone();
        Integer[] order = new Integer[centroids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(centroids[a], centroids[b]));
        for (int i = 0; i < order.length; i++) {
            sorted[i] = centroids[order[i]];
        }
        boolean changed = false;
        for (int i = 0; i < weights.length; i++) {
            int pos = Arrays.binarySearch(sorted, weights[i]);
            int best;
            if (pos >= 0) {
                best = pos;
            } else {
                int hi = -pos - 1;
                best = hi == 0 ? 0 : hi == sorted.length ? sorted.length - 1
                        : weights[i] - sorted[hi - 1] <= sorted[hi] - weights[i] ? hi - 1 : hi;
            }
            int k = order[best];
            if (assignment[i] != k) {
                assignment[i] = k;
                changed = true;
            }
        }
        return changed;
    }
}
