package dev.pipit.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.train.Dense;
import dev.pipit.compress.train.Network;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LowRankTest {

    @Test
    void of_rankThreeMatrix_reconstructsExactly() {
        Random random = new Random(2);
        int rows = 20;
        int cols = 30;
        float[] a = new float[rows * cols];
        for (int t = 0; t < 3; t++) {
            float[] u = new float[rows];
            float[] v = new float[cols];
            for (int i = 0; i < rows; i++) {
                u[i] = (float) random.nextGaussian();
            }
            for (int j = 0; j < cols; j++) {
                v[j] = (float) random.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    a[i * cols + j] += u[i] * v[j] * (3 - t);
                }
            }
        }
        Svd svd = Svd.of(a, rows, cols, 3);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double sum = 0;
                for (int t = 0; t < 3; t++) {
                    sum += svd.u()[i * 3 + t] * svd.s()[t] * svd.v()[j * 3 + t];
                }
                assertEquals(a[i * cols + j], sum, 1e-3);
            }
        }
        assertTrue(svd.s()[0] >= svd.s()[1] && svd.s()[1] >= svd.s()[2]);
    }

    @Test
    void factor_referenceCnn_halvesFullyConnectedWeights() {
        Network net = Network.referenceCnn(1);
        int[] ranks = LowRankFactorization.ranks(net, 0.5);
        assertEquals(2, ranks.length);
        assertEquals(0, ranks[1], "the 10-way classifier is too small to factor");
        Network f = LowRankFactorization.factor(net, ranks);
        long before = net.layers().stream().filter(l -> l instanceof Dense).mapToLong(l -> ((Dense) l).weight().length).sum();
        long after = f.layers().stream().filter(l -> l instanceof Dense).mapToLong(l -> ((Dense) l).weight().length).sum();
        assertTrue(after * 2 <= before, after + " vs " + before);
        assertEquals(10, f.outputSize());
    }
}
