package dev.pipit.compress.prune;

import dev.pipit.compress.train.Conv2d;
import dev.pipit.compress.train.Dense;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.MaxPool;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.Relu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Structured pruning: removes whole output channels of every convolution, those with the smallest L1
 * norm (Li et al., 2017), together with the inputs that read them in the next convolution or
 * fully-connected layer. The result is a smaller dense network: fewer MACs and bytes with no sparse
 * format needed.
 */
public final class ChannelPruning {

    private ChannelPruning() {
    }

    /** A copy of {@code net} keeping {@code keepFraction} of each convolution's output channels. */
    public static Network prune(Network net, double keepFraction) {
        if (!(keepFraction > 0) || keepFraction > 1) {
            throw new IllegalArgumentException("keep fraction must be in (0, 1]");
        }
        List<Layer> out = new ArrayList<>();
        int[] kept = null;          // channels of the current activation that survive, or null for all
        int[] shape = net.inputShape();
        for (Layer layer : net.layers()) {
            if (layer instanceof Conv2d c) {
                int[] inputs = kept == null ? all(c.inChannels()) : kept;
                int[] outputs = strongest(c, Math.max(1, (int) Math.round(c.rows() * keepFraction)));
                int area = c.kernel() * c.kernel();
                float[] w = new float[outputs.length * inputs.length * area];
                float[] b = new float[outputs.length];
                for (int o = 0; o < outputs.length; o++) {
                    b[o] = c.bias()[outputs[o]];
                    for (int i = 0; i < inputs.length; i++) {
                        System.arraycopy(c.weight(), (outputs[o] * c.inChannels() + inputs[i]) * area, w,
                                (o * inputs.length + i) * area, area);
                    }
                }
                int[] inShape = c.inputShape();
                inShape[0] = inputs.length;
                Conv2d pruned = new Conv2d(inShape, outputs.length, c.kernel(), c.stride(), c.pad(), w, b);
                out.add(pruned);
                kept = outputs;
                shape = pruned.outputShape();
            } else if (layer instanceof Relu) {
                out.add(new Relu(shape));
            } else if (layer instanceof MaxPool p) {
                MaxPool pooled = new MaxPool(shape, p.kernel(), p.stride());
                out.add(pooled);
                shape = pooled.outputShape();
            } else if (layer instanceof Dense d) {
                int[] columns = all(d.cols());
                if (kept != null) { // flattened [C, H, W]: keep the planes of the surviving channels
                    int plane = d.cols() / channelsBefore(net, layer);
                    columns = new int[kept.length * plane];
                    for (int k = 0; k < kept.length; k++) {
                        for (int p = 0; p < plane; p++) {
                            columns[k * plane + p] = kept[k] * plane + p;
                        }
                    }
                    kept = null;
                }
                float[] w = new float[d.rows() * columns.length];
                for (int r = 0; r < d.rows(); r++) {
                    for (int i = 0; i < columns.length; i++) {
                        w[r * columns.length + i] = d.weight()[r * d.cols() + columns[i]];
                    }
                }
                Dense pruned = new Dense(columns.length, d.rows(), w, d.bias().clone());
                out.add(pruned);
                shape = pruned.outputShape();
            } else {
                throw new IllegalArgumentException("channel pruning does not handle " + layer.getClass().getSimpleName());
            }
        }
        return new Network(net.inputShape(), out);
    }

    /** Channels of the activation {@code layer} reads (its input's first dimension). */
    private static int channelsBefore(Network net, Layer layer) {
        int[] shape = net.inputShape();
        for (Layer l : net.layers()) {
            if (l == layer) {
                return shape[0];
            }
            shape = l.outputShape();
        }
        throw new IllegalStateException("layer not in network");
    }

    /** Indices of the {@code count} output channels with the largest L1 norm, ascending. */
    static int[] strongest(Conv2d c, int count) {
        double[] norms = new double[c.rows()];
        for (int o = 0; o < c.rows(); o++) {
            for (int k = 0; k < c.cols(); k++) {
                norms[o] += Math.abs(c.weight()[o * c.cols() + k]);
            }
        }
        Integer[] order = new Integer[c.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(norms[b], norms[a]));
        int[] chosen = new int[count];
        for (int i = 0; i < count; i++) {
            chosen[i] = order[i];
        }
        Arrays.sort(chosen);
        return chosen;
    }

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
