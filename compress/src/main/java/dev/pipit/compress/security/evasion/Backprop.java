package dev.pipit.compress.security.evasion;

import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Mean softmax cross-entropy of a batch backpropagated through a {@link Network} down to its input (what
 * attacks need and {@code NetworkTrainer} skips), optionally also to the weights. Samples are split
 * across threads and weight gradients by output channel, so no sum depends on the thread count. Holds
 * per-batch scratch in the network's layers: one instance per network at a time.
 */
public final class Backprop {

    /** Computes rows {@code [from, to)}. */
    private interface Rows {
        void run(int from, int to);
    }

    private final Network net;
    private final List<Layer> layers;
    private final int capacity;
    private final int threads;
    private final float[][] acts;   // acts[0] input batch, acts[l + 1] output of layer l
    private final float[][] grads;  // grads[l] gradient w.r.t. acts[l]

    /** Prepares {@code net}'s layers for batches of up to {@code capacity} samples. */
    public Backprop(Network net, int capacity, int threads) {
        if (capacity < 1 || threads < 1) {
            throw new IllegalArgumentException("batch capacity and threads must be positive");
        }
        this.net = net;
        this.layers = net.layers();
        this.capacity = capacity;
        this.threads = threads;
        acts = new float[layers.size() + 1][];
        grads = new float[layers.size() + 1][];
        acts[0] = new float[capacity * net.inputSize()];
        grads[0] = new float[capacity * net.inputSize()];
        for (int l = 0; l < layers.size(); l++) {
            layers.get(l).prepare(capacity);
            acts[l + 1] = new float[capacity * layers.get(l).outputSize()];
            grads[l + 1] = new float[capacity * layers.get(l).outputSize()];
        }
    }

    public Network network() {
        return net;
    }

    public int capacity() {
        return capacity;
    }

    /** Logits {@code [n, classes]} of the {@code n} samples at the start of {@code x}. */
    public float[] logits(float[] x, int n) {
        forward(x, n);
        float[] out = new float[n * net.outputSize()];
        System.arraycopy(acts[layers.size()], 0, out, 0, out.length);
        return out;
    }

    /**
     * Mean cross-entropy of the {@code n} samples at the start of {@code x} against {@code labels}; writes
     * d(mean loss)/d(input) to the start of {@code dx} (skipped when null) and, when {@code weights}, leaves
     * d(mean loss)/d(parameter) in every layer's gradients.
     */
    public double gradient(float[] x, int[] labels, int n, float[] dx, boolean weights) {
        forward(x, n);
        int classes = net.outputSize();
        float[] logits = acts[layers.size()];
        float[] delta = grads[layers.size()];
        double loss = 0;
        for (int b = 0; b < n; b++) {
            int o = b * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[o + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[o + c] - max) / sum;
                delta[o + c] = (float) ((p - (c == labels[b] ? 1 : 0)) / n);
            }
            loss += Math.log(sum) - (logits[o + labels[b]] - max);
        }
        for (int l = layers.size() - 1; l >= 0; l--) {
            Layer layer = layers.get(l);
            float[] in = acts[l];
            float[] out = acts[l + 1];
            float[] dy = grads[l + 1];
            float[] dIn = grads[l];
            if (weights && layer.channels() > 0) { // before backward, which may reuse the layer's scratch
                parallel(layer.channels(), (from, to) -> layer.weightGradients(in, dy, n, from, to));
            }
            if (l > 0 || dx != null) {
                parallel(n, (from, to) -> layer.backward(in, out, dy, dIn, from, to));
            }
        }
        if (dx != null) {
            System.arraycopy(grads[0], 0, dx, 0, n * net.inputSize());
        }
        return loss / n;
    }

    private void forward(float[] x, int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " outside [1, " + capacity + "]");
        }
        System.arraycopy(x, 0, acts[0], 0, n * net.inputSize());
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            float[] in = acts[l];
            float[] out = acts[l + 1];
            parallel(n, (from, to) -> layer.forward(in, out, from, to));
        }
    }

    private void parallel(int rows, Rows body) {
        int parts = Math.min(threads, rows);
        if (parts <= 1) {
            body.run(0, rows);
        } else {
            IntStream.range(0, parts).parallel().forEach(p -> body.run(rows * p / parts, rows * (p + 1) / parts));
        }
    }
}
