package dev.pipit.compress.train;

import dev.pipit.compress.data.LabeledImages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * DP-SGD (Abadi et al. 2016): every step takes a Poisson sample of the data (each example independently with
 * probability q, so the RDP accountant's subsampled-Gaussian analysis applies as is), clips each example's
 * gradient to L2 norm C, adds Gaussian noise of standard deviation σ·C to their sum, divides by the expected batch
 * size q·N and hands the result to Adam. Per-example gradients come from one single-example trainer per thread,
 * each on its own copy of the network; the threads' sums are added in a fixed order, so a seed gives the same
 * model whatever the thread count's timing.
 */
public final class DpSgdTrainer {

    private DpSgdTrainer() {
    }

    /** Trains {@code net} in place; reports the mean loss of the sampled examples and the accuracy on {@code test} per epoch. */
    public static Network train(Network net, LabeledImages data, LabeledImages test, DpSgdOptions options,
                                Consumer<EpochStats> progress) {
        int threads = options.threads();
        List<Network> copies = new ArrayList<>();
        List<NetworkTrainer> workers = new ArrayList<>();
        TrainingOptions single = new TrainingOptions(1, 1, options.seed(), OptimizerKind.ADAM, 1e-3f, 0.9f, 1, false);
        for (int t = 0; t < threads; t++) {
            Network copy = net.copy();
            copies.add(copy);
            workers.add(new NetworkTrainer(copy, single));
        }
        List<float[]> params = new ArrayList<>();
        for (Layer l : net.layers()) {
            params.addAll(List.of(l.parameters()));
        }
        int[] sizes = params.stream().mapToInt(p -> p.length).toArray();
        float[][][] sums = new float[threads][sizes.length][];
        for (int t = 0; t < threads; t++) {
            for (int s = 0; s < sizes.length; s++) {
                sums[t][s] = new float[sizes[s]];
            }
        }
        double[] lossSums = new double[threads];
        Optimizer adam = Optimizer.adam(options.learningRate(), sizes);
        Random random = new Random(options.seed());
        int n = data.count();
        double q = options.samplingRate(n);
        long stepsPerEpoch = options.steps(n) / options.epochs();
        double expected = q * n;
        float[][] noisy = new float[sizes.length][];
        for (int s = 0; s < sizes.length; s++) {
            noisy[s] = new float[sizes[s]];
        }
        try (ParallelRows parallel = new ParallelRows(threads)) {
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                long start = System.nanoTime();
                double lossSum = 0;
                long sampled = 0;
                for (long step = 0; step < stepsPerEpoch; step++) {
                    int[] batch = poisson(n, q, random);
                    sampled += batch.length;
                    parallel.run(threads, (from, to) -> {
                        for (int t = from; t < to; t++) {
                            lossSums[t] = clippedSum(workers.get(t), copies.get(t), data, batch,
                                    batch.length * t / threads, batch.length * (t + 1) / threads, options.clipNorm(), sums[t]);
                        }
                    });
                    for (int t = 0; t < threads; t++) {
                        lossSum += lossSums[t];
                    }
                    double noise = options.noiseMultiplier() * options.clipNorm();
                    for (int s = 0; s < sizes.length; s++) {
                        float[] g = noisy[s];
                        for (int i = 0; i < g.length; i++) {
                            double total = random.nextGaussian() * noise;
                            for (int t = 0; t < threads; t++) {
                                total += sums[t][s][i];
                            }
                            g[i] = (float) (total / expected);
                        }
                    }
                    adam.beginStep();
                    for (int s = 0; s < sizes.length; s++) {
                        adam.update(s, params.get(s), noisy[s], 0, sizes[s]);
                    }
                    for (Layer l : net.layers()) {
                        l.afterUpdate();
                    }
                    for (Network copy : copies) {
                        sync(net, copy);
                    }
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                double accuracy = test == null ? Double.NaN : workers.get(0).accuracy(test);
                progress.accept(new EpochStats(epoch, lossSum / Math.max(1, sampled), accuracy, millis));
            }
        } finally {
            workers.forEach(NetworkTrainer::close);
        }
        return net;
    }

    /** Sum over examples {@code batch[from, to)} of their gradients, each clipped to {@code clip}; returns their loss sum. */
    static double clippedSum(NetworkTrainer worker, Network copy, LabeledImages data, int[] batch, int from, int to,
                                     double clip, float[][] sum) {
        for (float[] s : sum) {
            Arrays.fill(s, 0f);
        }
        double loss = 0;
        int[] one = new int[1];
        for (int k = from; k < to; k++) {
            one[0] = batch[k];
            loss += worker.lossAndGradients(data, one, null);
            double squares = 0;
            for (Layer l : copy.layers()) {
                for (float[] g : l.gradients()) {
                    for (float v : g) {
                        squares += v * v;
                    }
                }
            }
            float scale = (float) Math.min(1.0, clip / Math.max(Math.sqrt(squares), 1e-12));
            int s = 0;
            for (Layer l : copy.layers()) {
                for (float[] g : l.gradients()) {
                    float[] acc = sum[s++];
                    for (int i = 0; i < g.length; i++) {
                        acc[i] += scale * g[i];
                    }
                }
            }
        }
        return loss;
    }

    /** Each of {@code n} indices independently with probability {@code q}. */
    private static int[] poisson(int n, double q, Random random) {
        int[] chosen = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < q) {
                chosen[count++] = i;
            }
        }
        return Arrays.copyOf(chosen, count);
    }

    private static void sync(Network from, Network to) {
        for (int l = 0; l < from.layers().size(); l++) {
            float[][] src = from.layers().get(l).parameters();
            float[][] dst = to.layers().get(l).parameters();
            for (int p = 0; p < src.length; p++) {
                System.arraycopy(src[p], 0, dst[p], 0, src[p].length);
            }
            to.layers().get(l).afterUpdate();
        }
    }
}
