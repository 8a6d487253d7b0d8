package dev.pipit.compress.lowrank;

import dev.pipit.compress.train.Dense;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces fully-connected layers {@code W [out, in]} by two thinner ones, {@code in → r → out}, from
 * the truncated SVD {@code W ≈ U_r S_r V_rᵀ}: the first holds {@code √S_r V_rᵀ} (no bias), the second
 * {@code U_r √S_r} and the original bias. A layer is factored only where rank r saves parameters:
 * {@code r (in + out) < in · out}.
 */
public final class LowRankFactorization {

    private LowRankFactorization() {
    }

    /**
     * The largest rank (a multiple of 8 when above 8) that keeps the factored fully-connected layers,
     * together with those left whole, at or below {@code budget} of their original parameter count.
     */
    public static int[] ranks(Network net, double budget) {
        List<Dense> dense = net.layers().stream().filter(l -> l instanceof Dense).map(l -> (Dense) l).toList();
        long original = dense.stream().mapToLong(d -> (long) d.rows() * d.cols()).sum();
        int[] ranks = new int[dense.size()];
        long kept = 0;
        for (int i = 0; i < dense.size(); i++) {
            Dense d = dense.get(i);
            int r = (int) Math.floor(budget * d.rows() * d.cols() / (d.rows() + d.cols()));
            r = r > 8 ? r / 8 * 8 : r;
            boolean worth = r >= 8 && r < Math.min(d.rows(), d.cols());
            ranks[i] = worth ? r : 0; // 0: leave the layer whole
            kept += worth ? (long) r * (d.rows() + d.cols()) : (long) d.rows() * d.cols();
        }
        // layers too small to factor (e.g. the 10-way classifier) count whole: shrink the others to pay
        while (kept > budget * original) {
            int widest = -1;
            for (int i = 0; i < ranks.length; i++) {
                if (ranks[i] > 8 && (widest < 0 || ranks[i] * (dense.get(i).rows() + dense.get(i).cols())
                        > ranks[widest] * (dense.get(widest).rows() + dense.get(widest).cols()))) {
                    widest = i;
                }
            }
            if (widest < 0) {
                break;
            }
            kept -= 8L * (dense.get(widest).rows() + dense.get(widest).cols());
            ranks[widest] -= 8;
        }
        return ranks;
    }

    /** A copy of {@code net} with its {@code i}-th fully-connected layer factored at {@code ranks[i]} (0 = whole). */
    public static Network factor(Network net, int[] ranks) {
        List<Layer> out = new ArrayList<>();
        Network copy = net.copy();
        int i = 0;
        for (Layer layer : copy.layers()) {
            if (layer instanceof Dense d) {
                int r = ranks[i++];
                if (r == 0) {
                    out.add(d);
                    continue;
                }
                Svd svd = Svd.of(d.weight(), d.rows(), d.cols(), r);
                float[] first = new float[r * d.cols()];
                float[] second = new float[d.rows() * r];
                for (int t = 0; t < r; t++) {
                    double root = Math.sqrt(svd.s()[t]);
                    for (int c = 0; c < d.cols(); c++) {
                        first[t * d.cols() + c] = (float) (root * svd.v()[c * r + t]);
                    }
                    for (int o = 0; o < d.rows(); o++) {
                        second[o * r + t] = (float) (root * svd.u()[o * r + t]);
                    }
                }
                out.add(new Dense(d.cols(), r, first, new float[r]));
                out.add(new Dense(r, d.rows(), second, d.bias().clone()));
            } else {
                out.add(layer);
            }
        }
        return new Network(net.inputShape(), out);
    }
}
