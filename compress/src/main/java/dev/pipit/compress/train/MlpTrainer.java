package dev.pipit.compress.train;

import dev.pipit.compress.data.LabeledImages;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains an {@link Mlp} with softmax cross-entropy on mini-batches, on plain Java arrays.
 *
 * <p>Every inner loop is an axpy over contiguous memory (which C2 vectorises); dot products, which it
 * does not, are avoided by keeping a transposed copy of each weight matrix for the forward pass.
 * Forward and input-gradient passes split the batch across threads, weight gradients split the output
 * rows, so no thread needs its own gradient copy. All buffers are allocated once, for the batch size.
 */
public final class MlpTrainer implements AutoCloseable {

    private final Mlp model;
    private final TrainingOptions options;
    private final ParallelRows parallel;
    private final Optimizer optimizer;
    private final int layers;
    private final int[] sizes;          // sizes[0] inputs, sizes[l + 1] outputs of layer l
    private final float[][] transposed; // per layer [in, out]
    private final float[][] acts;       // acts[0] input batch, acts[l + 1] layer l output (after ReLU)
    private final float[][] deltas;     // gradient of the loss w.r.t. layer l's pre-activation output
    private final float[][] weightGrads;
    private final float[][] biasGrads;
    private final float[] rowLoss;
    private final int[] batchLabels;

    public MlpTrainer(Mlp model, TrainingOptions options) {
        this.model = model;
        this.options = options;
        this.parallel = new ParallelRows(options.threads());
        this.layers = model.layers();
        this.sizes = new int[layers + 1];
        for (int l = 0; l < layers; l++) {
            sizes[l] = model.inputs(l);
        }
        sizes[layers] = model.widths()[layers - 1];
        int batch = options.batchSize();
        transposed = new float[layers][];
        acts = new float[layers + 1][];
        deltas = new float[layers][];
        weightGrads = new float[layers][];
        biasGrads = new float[layers][];
        int[] slots = new int[2 * layers];
        acts[0] = new float[batch * sizes[0]];
        for (int l = 0; l < layers; l++) {
            transposed[l] = new float[sizes[l] * sizes[l + 1]];
            acts[l + 1] = new float[batch * sizes[l + 1]];
            deltas[l] = new float[batch * sizes[l + 1]];
            weightGrads[l] = new float[sizes[l] * sizes[l + 1]];
            biasGrads[l] = new float[sizes[l + 1]];
            slots[2 * l] = weightGrads[l].length;
            slots[2 * l + 1] = biasGrads[l].length;
            transpose(l, 0, sizes[l + 1]);
        }
        rowLoss = new float[batch];
        batchLabels = new int[batch];
        optimizer = options.optimizer() == OptimizerKind.ADAM
                ? Optimizer.adam(options.learningRate(), slots)
                : Optimizer.sgd(options.learningRate(), options.momentum(), slots);
    }

    /**
     * Trains {@code init} in place for {@code options.epochs()} epochs, reporting each epoch.
     *
     * @return the trained model ({@code init}, updated)
     */
    public static Mlp train(Mlp init, LabeledImages train, LabeledImages test, TrainingOptions options,
                            Consumer<EpochStats> progress) {
        try (MlpTrainer trainer = new MlpTrainer(init, options)) {
            Random shuffle = new Random(options.seed() ^ 0x5DEECE66DL);
            int[] order = new int[train.count()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = shuffle.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                long start = System.nanoTime();
                double loss = trainer.trainEpoch(train, order);
                long millis = (System.nanoTime() - start) / 1_000_000;
                progress.accept(new EpochStats(epoch, loss, trainer.accuracy(test), millis));
            }
        }
        return init;
    }

    /** One pass over {@code data} in the given order; returns the mean batch loss. */
    public double trainEpoch(LabeledImages data, int[] order) {
        double lossSum = 0;
        int batches = 0;
        for (int start = 0; start < order.length; start += options.batchSize()) {
            int n = Math.min(options.batchSize(), order.length - start);
            for (int b = 0; b < n; b++) {
                data.copyImage(order[start + b], acts[0], b * sizes[0]);
                batchLabels[b] = data.label(order[start + b]);
            }
            lossSum += step(n);
            batches++;
        }
        return lossSum / batches;
    }

    /** Fraction of {@code data} the current weights classify correctly. */
    public double accuracy(LabeledImages data) {
        int correct = 0;
        int classes = sizes[layers];
        for (int start = 0; start < data.count(); start += options.batchSize()) {
            int n = Math.min(options.batchSize(), data.count() - start);
            data.copyImages(start, n, acts[0], 0);
            forward(n);
            float[] logits = acts[layers];
            for (int b = 0; b < n; b++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (logits[b * classes + c] > logits[b * classes + best]) {
                        best = c;
                    }
                }
                if (best == data.label(start + b)) {
                    correct++;
                }
            }
        }
        return (double) correct / data.count();
    }

    /** Forward, loss, backward and update for the {@code n} samples in {@code acts[0]}. */
    private double step(int n) {
        forward(n);
        parallel.run(n, (from, to) -> softmaxLoss(n, from, to));
        double loss = 0;
        for (int b = 0; b < n; b++) {
            loss += rowLoss[b];
        }
        for (int l = layers - 1; l >= 0; l--) {
            int layer = l;
            parallel.run(sizes[l + 1], (from, to) -> weightGradients(layer, n, from, to));
            if (l > 0) {
                parallel.run(n, (from, to) -> inputGradients(layer, from, to));
            }
        }
        optimizer.beginStep();
        for (int l = 0; l < layers; l++) {
            int layer = l;
            int in = sizes[l];
            parallel.run(sizes[l + 1], (from, to) -> {
                optimizer.update(2 * layer, model.weights()[layer], weightGrads[layer], from * in, to * in);
                optimizer.update(2 * layer + 1, model.biases()[layer], biasGrads[layer], from, to);
                transpose(layer, from, to);
            });
        }
        return loss / n;
    }

    private void forward(int n) {
        for (int l = 0; l < layers; l++) {
            int layer = l;
            parallel.run(n, (from, to) -> forwardRows(layer, from, to));
        }
    }

    private void forwardRows(int l, int from, int to) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] x = acts[l];
        float[] y = acts[l + 1];
        float[] wt = transposed[l];
        float[] bias = model.biases()[l];
        boolean relu = l < layers - 1;
        for (int b = from; b < to; b++) {
            int yo = b * out;
            System.arraycopy(bias, 0, y, yo, out);
            int xo = b * in;
            for (int i = 0; i < in; i++) {
                float a = x[xo + i];
                if (a != 0f) { // images are half background and ReLU outputs half zero: skip them
                    int wo = i * out;
                    for (int o = 0; o < out; o++) {
                        y[yo + o] += a * wt[wo + o];
                    }
                }
            }
            if (relu) {
                for (int o = 0; o < out; o++) {
                    y[yo + o] = Math.max(y[yo + o], 0f);
                }
            }
        }
    }

    /** Cross-entropy of rows {@code [from, to)}; leaves d(mean loss)/d(logits) in the last delta. */
    private void softmaxLoss(int n, int from, int to) {
        int classes = sizes[layers];
        float[] logits = acts[layers];
        float[] delta = deltas[layers - 1];
        for (int b = from; b < to; b++) {
            int o = b * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[o + c] - max);
            }
            double logSum = Math.log(sum) + max;
            int label = batchLabels[b];
            rowLoss[b] = (float) (logSum - logits[o + label]);
            for (int c = 0; c < classes; c++) {
                float p = (float) Math.exp(logits[o + c] - logSum);
                delta[o + c] = (p - (c == label ? 1f : 0f)) / n;
            }
        }
    }

    /** dW[o, :] = Σ_b δ[b, o] · x[b, :] and db[o] = Σ_b δ[b, o], for output rows {@code [from, to)}. */
    private void weightGradients(int l, int n, int from, int to) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] x = acts[l];
        float[] delta = deltas[l];
        float[] gw = weightGrads[l];
        float[] gb = biasGrads[l];
        for (int o = from; o < to; o++) {
            int go = o * in;
            Arrays.fill(gw, go, go + in, 0f);
            float biasSum = 0;
            for (int b = 0; b < n; b++) {
                float d = delta[b * out + o];
                if (d != 0f) {
                    biasSum += d;
                    int xo = b * in;
                    for (int i = 0; i < in; i++) {
                        gw[go + i] += d * x[xo + i];
                    }
                }
            }
            gb[o] = biasSum;
        }
    }

    /** δ[l-1][b, :] = (Σ_o δ[l][b, o] · W[o, :]) ⊙ (x[b, :] > 0), for batch rows {@code [from, to)}. */
    private void inputGradients(int l, int from, int to) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] w = model.weights()[l];
        float[] delta = deltas[l];
        float[] prev = deltas[l - 1];
        float[] x = acts[l];
        for (int b = from; b < to; b++) {
            int po = b * in;
            Arrays.fill(prev, po, po + in, 0f);
            for (int o = 0; o < out; o++) {
                float d = delta[b * out + o];
                if (d != 0f) {
                    int wo = o * in;
                    for (int i = 0; i < in; i++) {
                        prev[po + i] += d * w[wo + i];
                    }
                }
            }
            for (int i = 0; i < in; i++) {
                if (x[po + i] <= 0f) {
                    prev[po + i] = 0f;
                }
            }
        }
    }

    /** Copies rows {@code [from, to)} of layer l's weights into its transposed copy. */
    private void transpose(int l, int from, int to) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] w = model.weights()[l];
        float[] wt = transposed[l];
        for (int o = from; o < to; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = w[o * in + i];
            }
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
