package dev.pipit.compress.train;

import dev.pipit.compress.data.LabeledImages;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains a {@link Network} with softmax cross-entropy (optionally distilled from a teacher) on
 * mini-batches, in plain Java on all the threads asked for. Deterministic: the same seed gives the same
 * weights whatever the thread count, because no sum is split across threads.
 */
public final class NetworkTrainer implements AutoCloseable {

    /** Called after every optimizer step with the number of steps taken so far. */
    public interface StepListener {
        void afterStep(long step);
    }

    private final Network net;
    private final TrainingOptions options;
    private final ParallelRows parallel;
    private final Optimizer optimizer;
    private final List<Layer> layers;
    private final float[][] acts;   // acts[0] input batch, acts[l + 1] output of layer l
    private final float[][] grads;  // grads[l] gradient w.r.t. acts[l]
    private final float[] rowLoss;
    private final int[] batchLabels;
    private final float[] teacherLogits;
    private long steps;

    public NetworkTrainer(Network net, TrainingOptions options) {
        this.net = net;
        this.options = options;
        this.parallel = new ParallelRows(options.threads());
        this.layers = net.layers();
        int batch = options.batchSize();
        acts = new float[layers.size() + 1][];
        grads = new float[layers.size() + 1][];
        acts[0] = new float[batch * net.inputSize()];
        grads[0] = new float[0]; // the input needs no gradient
        int slots = 0;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            layer.prepare(batch);
            layer.afterUpdate();
            acts[l + 1] = new float[batch * layer.outputSize()];
            grads[l + 1] = new float[batch * layer.outputSize()];
            slots += layer.parameters().length;
        }
        int[] sizes = new int[slots];
        int s = 0;
        for (Layer layer : layers) {
            for (float[] p : layer.parameters()) {
                sizes[s++] = p.length;
            }
        }
        rowLoss = new float[batch];
        batchLabels = new int[batch];
        teacherLogits = new float[batch * net.outputSize()];
        optimizer = options.optimizer() == OptimizerKind.ADAM
                ? Optimizer.adam(options.learningRate(), sizes)
                : Optimizer.sgd(options.learningRate(), options.momentum(), sizes);
    }

    /** Trains {@code net} in place for {@code options.epochs()} epochs, reporting each epoch. */
    public static Network train(Network net, LabeledImages train, LabeledImages test, TrainingOptions options,
                                Consumer<EpochStats> progress) {
        try (NetworkTrainer trainer = new NetworkTrainer(net, options)) {
            trainer.fit(train, test, null, null, null, progress);
        }
        return net;
    }

    /**
     * Runs {@code options.epochs()} epochs over {@code train} in a seeded shuffled order, with a cosine
     * decay of the learning rate to zero when {@code options.cosineDecay()}, each batch moved by
     * {@code shift} when given. The order and the shifts depend on the seed alone, so two runs with and
     * without {@code distillation} see the same images.
     */
    public void fit(LabeledImages train, LabeledImages test, Distillation distillation, RandomShift shift,
                    StepListener listener, Consumer<EpochStats> progress) {
        Random shuffle = new Random(options.seed() ^ 0x5DEECE66DL);
        Random augment = new Random(options.seed() ^ 0x2545F4914F6CDD1DL);
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        long totalSteps = (long) options.epochs() * ((order.length + options.batchSize() - 1) / options.batchSize());
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long start = System.nanoTime();
            double loss = trainEpoch(train, order, distillation, shift, augment, step -> {
                if (options.cosineDecay()) {
                    optimizer.setLearningRate((float) (options.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps))));
                }
                if (listener != null) {
                    listener.afterStep(step);
                }
            });
            long millis = (System.nanoTime() - start) / 1_000_000;
            progress.accept(new EpochStats(epoch, loss, test == null ? Double.NaN : accuracy(test), millis));
        }
    }

    /** One pass over {@code data} in the given order; returns the mean batch loss. */
    private double trainEpoch(LabeledImages data, int[] order, Distillation distillation, RandomShift shift,
                              Random augment, StepListener listener) {
        double lossSum = 0;
        int batches = 0;
        int size = net.inputSize();
        int[] imageShape = {1, data.rows(), data.cols()}; // the images' own geometry: an MLP may take them flattened
        for (int start = 0; start < order.length; start += options.batchSize()) {
            int n = Math.min(options.batchSize(), order.length - start);
            for (int b = 0; b < n; b++) {
                data.copyImage(order[start + b], acts[0], b * size);
                batchLabels[b] = data.label(order[start + b]);
            }
            if (shift != null) {
                shift.apply(acts[0], n, imageShape, augment);
            }
            lossSum += step(n, distillation);
            batches++;
            if (listener != null) {
                listener.afterStep(steps);
            }
        }
        return lossSum / batches;
    }

    /** Fraction of {@code data} the current weights classify correctly. */
    public double accuracy(LabeledImages data) {
        float[] logits = logits(data);
        int classes = net.outputSize();
        int correct = 0;
        for (int i = 0; i < data.count(); i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            correct += best == data.label(i) ? 1 : 0;
        }
        return (double) correct / data.count();
    }

    /** The network's outputs for every image of {@code data}, {@code [count, classes]}. */
    public float[] logits(LabeledImages data) {
        int classes = net.outputSize();
        float[] out = new float[data.count() * classes];
        for (int start = 0; start < data.count(); start += options.batchSize()) {
            int n = Math.min(options.batchSize(), data.count() - start);
            data.copyImages(start, n, acts[0], 0);
            forward(n);
            System.arraycopy(acts[layers.size()], 0, out, start * classes, n * classes);
        }
        return out;
    }

    private double step(int n, Distillation distillation) {
        double loss = gradients(n, distillation);
        optimizer.beginStep();
        int slot = 0;
        for (Layer layer : layers) {
            float[][] params = layer.parameters();
            float[][] g = layer.gradients();
            for (int p = 0; p < params.length; p++) {
                int s = slot++;
                float[] param = params[p];
                float[] grad = g[p];
                parallel.run(param.length, (from, to) -> optimizer.update(s, param, grad, from, to));
            }
            layer.afterUpdate();
        }
        steps++;
        return loss;
    }

    /**
     * Mean loss of images {@code indices} of {@code data}, leaving d(loss)/d(parameter) in every layer's
     * gradients without updating anything (for gradient checks).
     */
    double lossAndGradients(LabeledImages data, int[] indices, Distillation distillation) {
        for (int b = 0; b < indices.length; b++) {
            data.copyImage(indices[b], acts[0], b * net.inputSize());
            batchLabels[b] = data.label(indices[b]);
        }
        return gradients(indices.length, distillation);
    }

    /** Forward, loss and backward for the {@code n} samples in the input buffer; returns the mean loss. */
    private double gradients(int n, Distillation distillation) {
        forward(n);
        if (distillation != null) {
            distillation.teacher().logits(acts[0], n, teacherLogits);
        }
        parallel.run(n, (from, to) -> loss(n, from, to, distillation));
        double loss = 0;
        for (int b = 0; b < n; b++) {
            loss += rowLoss[b];
        }
        for (int l = layers.size() - 1; l >= 0; l--) {
            Layer layer = layers.get(l);
            float[] x = acts[l];
            float[] y = acts[l + 1];
            float[] dy = grads[l + 1];
            float[] dx = grads[l];
            if (layer.channels() > 0) {
                parallel.run(layer.channels(), (from, to) -> layer.weightGradients(x, dy, n, from, to));
            }
            if (l > 0) {
                parallel.run(n, (from, to) -> layer.backward(x, y, dy, dx, from, to));
            }
        }
        return loss / n;
    }

    private void forward(int n) {
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            float[] x = acts[l];
            float[] y = acts[l + 1];
            parallel.run(n, (from, to) -> layer.forward(x, y, from, to));
        }
    }

    /** Loss of rows {@code [from, to)}; leaves d(mean loss)/d(logits) in the last gradient. */
    private void loss(int n, int from, int to, Distillation distillation) {
        int classes = net.outputSize();
        float[] logits = acts[layers.size()];
        float[] delta = grads[layers.size()];
        float[] p = new float[classes];
        float[] soft = new float[classes];
        float[] teacher = new float[classes];
        for (int b = from; b < to; b++) {
            int o = b * classes;
            softmax(logits, o, classes, 1f, p);
            int label = batchLabels[b];
            double ce = -Math.log(Math.max(p[label], 1e-30f));
            float hard = distillation == null ? 1f : 1 - distillation.alpha();
            for (int c = 0; c < classes; c++) {
                delta[o + c] = hard * (p[c] - (c == label ? 1f : 0f)) / n;
            }
            double total = hard * ce;
            if (distillation != null) {
                float t = distillation.temperature();
                softmax(teacherLogits, o, classes, t, teacher);
                softmax(logits, o, classes, t, soft);
                double kl = 0;
                for (int c = 0; c < classes; c++) {
                    if (teacher[c] > 0) {
                        kl += teacher[c] * (Math.log(teacher[c]) - Math.log(Math.max(soft[c], 1e-30f)));
                    }
                    // d(T²·KL)/d(logit) = T·(soft − teacher)
                    delta[o + c] += distillation.alpha() * t * (soft[c] - teacher[c]) / n;
                }
                total += distillation.alpha() * t * t * kl;
            }
            rowLoss[b] = (float) total;
        }
    }

    private static void softmax(float[] logits, int offset, int classes, float temperature, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[offset + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp((logits[offset + c] - max) / temperature);
        }
        for (int c = 0; c < classes; c++) {
            out[c] = (float) (Math.exp((logits[offset + c] - max) / temperature) / sum);
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
