package dev.pipit.compress.security.evasion;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.Optimizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * PGD adversarial fine-tuning (Madry et al., 2018) with the 50/50 mix of Goodfellow et al.: in every
 * mini-batch the first half of the images stay clean and the second half are replaced by PGD examples
 * crafted against the current weights (random start, {@code attackSteps} steps of 2.5·ε/steps); Adam on
 * the mean cross-entropy of the whole batch, learning rate cosine-decayed to zero. Deterministic for a seed.
 *
 * @param epsilon the L∞ budget trained against, on [0, 1] pixels
 * @param attackSteps PGD steps per crafted example (fewer than the evaluation's, to keep training affordable)
 * @param epochs passes over the training set
 * @param learningRate Adam's peak step size
 * @param batchSize images per step, half of them adversarial
 * @param seed seeds the shuffling and the attacks' random starts
 * @param threads threads for the batch arithmetic
 */
public record AdversarialTraining(float epsilon, int attackSteps, int epochs, float learningRate, int batchSize, long seed,
                                  int threads) {

    public AdversarialTraining {
        if (!(epsilon > 0) || attackSteps < 1 || epochs < 1 || !(learningRate > 0) || batchSize < 2 || threads < 1) {
            throw new IllegalArgumentException("adversarial training needs ε > 0, at least one attack step and epoch, "
                    + "a positive learning rate, batches of at least 2 and a thread");
        }
    }

    /** Fine-tunes {@code net} in place on {@code train}; progress on {@code log}. */
    public Network fineTune(Network net, LabeledImages train, PrintStream log) {
        Backprop model = new Backprop(net, batchSize, threads);
        Optimizer optimizer = Optimizer.adam(learningRate, net.layers().stream().flatMap(l -> Arrays.stream(l.parameters()))
                .mapToInt(p -> p.length).toArray());
        int size = net.inputSize();
        float[] x = new float[batchSize * size];
        int[] y = new int[batchSize];
        List<Integer> order = IntStream.range(0, train.count()).boxed().collect(Collectors.toCollection(ArrayList::new));
        Random shuffle = new Random(seed);
        long stepsPerEpoch = (order.size() + batchSize - 1) / batchSize;
        long total = epochs * stepsPerEpoch;
        long step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Collections.shuffle(order, shuffle);
            long start = System.nanoTime();
            double lossSum = 0;
            for (int first = 0; first < order.size(); first += batchSize) {
                int n = Math.min(batchSize, order.size() - first);
                for (int b = 0; b < n; b++) {
                    train.copyImage(order.get(first + b), x, b * size);
                    y[b] = train.label(order.get(first + b));
                }
                int half = n / 2;
                if (n - half > 0) {
                    float[] clean = Arrays.copyOfRange(x, half * size, n * size);
                    int[] labels = Arrays.copyOfRange(y, half, n);
                    float[] adv = LinfAttack.pgd(epsilon, attackSteps, seed + step).craft(model, clean, labels, n - half);
                    System.arraycopy(adv, 0, x, half * size, adv.length);
                }
                lossSum += model.gradient(x, y, n, null, true);
                optimizer.setLearningRate((float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * step / total))));
                update(net, optimizer);
                step++;
                if (step % 100 == 0) {
                    log.printf(Locale.ROOT, "  adversarial training: step %d/%d  loss %.4f%n", step, total,
                            lossSum / (step - (epoch - 1) * stepsPerEpoch));
                }
            }
            log.printf(Locale.ROOT, "  adversarial training: epoch %d/%d  loss %.4f  %.1f s%n", epoch, epochs,
                    lossSum / stepsPerEpoch, (System.nanoTime() - start) / 1e9);
        }
        return net;
    }

    private static void update(Network net, Optimizer optimizer) {
        optimizer.beginStep();
        int slot = 0;
        for (Layer layer : net.layers()) {
            float[][] params = layer.parameters();
            float[][] grads = layer.gradients();
            for (int p = 0; p < params.length; p++) {
                optimizer.update(slot++, params[p], grads[p], 0, params[p].length);
            }
            layer.afterUpdate();
        }
    }
}
