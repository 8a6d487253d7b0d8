package dev.pipit.compress.security.evasion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.train.Conv2d;
import dev.pipit.compress.train.Dense;
import dev.pipit.compress.train.MaxPool;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.Relu;
import dev.pipit.compress.train.WeightedLayer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackpropTest {

    private static final int N = 6;

    /** Padded, strided convolution, ReLU, pooling and two dense layers: every backward path. */
    private static Network small(long seed) {
        Random random = new Random(seed);
        int[] in = {1, 28, 28};
        Conv2d conv = new Conv2d(in, 3, 3, 2, 1, uniform(random, 27, 0.5f), uniform(random, 3, 0.1f));
        MaxPool pool = new MaxPool(conv.outputShape(), 2, 2);
        Dense fc1 = Dense.initialized(pool.outputSize(), 12, random);
        return new Network(in, List.of(conv, new Relu(conv.outputShape()), pool, fc1, new Relu(fc1.outputShape()),
                Dense.initialized(12, 10, random)));
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return out;
    }

    private static int[] labels() {
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = TestData.test().label(i);
        }
        return labels;
    }

    @Test
    void gradient_smallCnnInput_matchesFiniteDifferences() {
        Backprop model = new Backprop(small(3), N, 2);
        float[] x = TestData.floats(TestData.test(), N);
        Random noise = new Random(9);
        for (int i = 0; i < x.length; i++) { // the all-zero background ties max pools: break the ties
            x[i] += noise.nextFloat() * 0.1f;
        }
        int[] labels = labels();
        float[] analytic = new float[x.length];
        model.gradient(x, labels, N, analytic, false);
        double center = model.gradient(x, labels, N, null, false);
        int checked = 0;
        for (int i = 0; i < x.length; i += 37) {
            float saved = x[i];
            float h = 3e-3f; // large enough to beat float noise in the loss
            x[i] = saved + h;
            double right = (model.gradient(x, labels, N, null, false) - center) / h;
            x[i] = saved - h;
            double left = (center - model.gradient(x, labels, N, null, false)) / h;
            x[i] = saved;
            double numeric = (left + right) / 2;
            boolean kink = Math.abs(right - left) > 0.02 * Math.abs(numeric) + 1e-4; // a ReLU or max pool switched
            if (Math.abs(numeric) > 1e-3 && !kink) {
                assertEquals(numeric, analytic[i], 0.05 * Math.abs(numeric) + 1e-4, "pixel " + i);
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked + " derivatives");
    }

    @Test
    void gradient_weights_matchFiniteDifferences() {
        Network net = small(4);
        Backprop model = new Backprop(net, N, 1);
        float[] x = TestData.floats(TestData.test(), N);
        int[] labels = labels();
        int checked = 0;
        for (WeightedLayer layer : net.weighted()) {
            model.gradient(x, labels, N, null, true);
            float[] analytic = layer.gradients()[0].clone();
            float[] w = layer.weight();
            for (int i = 0; i < w.length; i += Math.max(1, w.length / 5)) {
                float saved = w[i];
                float h = 1e-3f;
                w[i] = saved + h;
                layer.afterUpdate();
                double up = model.gradient(x, labels, N, null, false);
                w[i] = saved - h;
                layer.afterUpdate();
                double down = model.gradient(x, labels, N, null, false);
                w[i] = saved;
                layer.afterUpdate();
                double numeric = (up - down) / (2 * h);
                if (Math.abs(numeric) > 1e-3) {
                    assertEquals(numeric, analytic[i], 0.05 * Math.abs(numeric) + 1e-4, "weight " + i);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 6, "checked " + checked + " derivatives");
    }

    @Test
    void gradient_oneOrTwoThreads_identical() {
        float[] x = TestData.floats(TestData.test(), N);
        float[] one = new float[x.length];
        float[] two = new float[x.length];
        double a = new Backprop(small(5), N, 1).gradient(x, labels(), N, one, false);
        double b = new Backprop(small(5), N, 2).gradient(x, labels(), N, two, false);
        assertEquals(a, b, 0.0);
        assertArrayEquals(one, two, 0f);
    }
}
