package dev.pipit.compress.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import org.junit.jupiter.api.Test;

class DpSgdTrainerTest {

    @Test
    void clippedSum_tinyClipNorm_boundsTheSumByExamplesTimesClip() {
        Network net = Network.mlp(new int[] {32, 10}, 1);
        LabeledImages data = TestData.train().slice(0, 20);
        float[][] sum = new float[4][];
        int s = 0;
        for (Layer l : net.layers()) {
            for (float[] p : l.parameters()) {
                sum[s++] = new float[p.length];
            }
        }
        try (NetworkTrainer worker = new NetworkTrainer(net, new TrainingOptions(1, 1, 1, OptimizerKind.ADAM, 1e-3f, 0.9f, 1, false))) {
            int[] batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            DpSgdTrainer.clippedSum(worker, net, data, batch, 0, batch.length, 0.01, sum);
        }
        double squares = 0;
        for (float[] g : sum) {
            for (float v : g) {
                squares += v * v;
            }
        }
        double norm = Math.sqrt(squares);
        assertTrue(norm <= 10 * 0.01 * 1.0001 && norm > 0.01, "norm " + norm);
    }

    @Test
    void train_moderateNoise_stillLearns() {
        LabeledImages data = TestData.train().slice(0, 3000);
        LabeledImages test = TestData.test().slice(0, 500);
        Network net = Network.mlp(new int[] {32, 10}, 2);
        DpSgdTrainer.train(net, data, null, new DpSgdOptions(3, 100, 0.5, 1.0, 3e-3f, 2, 2), e -> { });
        try (NetworkTrainer eval = new NetworkTrainer(net, new TrainingOptions(1, 100, 1, OptimizerKind.ADAM, 1e-3f, 0.9f, 1, false))) {
            double accuracy = eval.accuracy(test);
            assertTrue(accuracy > 0.6, "accuracy " + accuracy);
        }
    }

    @Test
    void train_overwhelmingNoise_learnsLessThanModerateNoise() {
        LabeledImages data = TestData.train().slice(0, 3000);
        LabeledImages test = TestData.test().slice(0, 500);
        double[] accuracy = new double[2];
        double[] sigmas = {0.5, 50};
        for (int k = 0; k < 2; k++) {
            Network net = Network.mlp(new int[] {32, 10}, 2);
            DpSgdTrainer.train(net, data, null, new DpSgdOptions(3, 100, sigmas[k], 1.0, 3e-3f, 2, 2), e -> { });
            try (NetworkTrainer eval = new NetworkTrainer(net, new TrainingOptions(1, 100, 1, OptimizerKind.ADAM, 1e-3f, 0.9f, 1, false))) {
                accuracy[k] = eval.accuracy(test);
            }
        }
        assertTrue(accuracy[1] < accuracy[0] - 0.1, accuracy[0] + " vs " + accuracy[1]);
    }
}
