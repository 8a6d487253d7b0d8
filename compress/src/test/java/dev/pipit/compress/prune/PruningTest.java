package dev.pipit.compress.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.train.Conv2d;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.WeightedLayer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PruningTest {

    @Test
    void prune_eightyPercentGlobal_zerosExactlyThatManySmallestWeights() {
        Network net = Network.referenceCnn(1);
        MagnitudePruning.prune(net.weighted(), 0.8);
        long total = net.weighted().stream().mapToLong(l -> l.weight().length).sum();
        long zeros = net.weighted().stream().mapToLong(l -> Math.round(l.sparsity() * l.weight().length)).sum();
        assertEquals(Math.round(0.8 * total), zeros);
        Network original = Network.referenceCnn(1);
        float smallestKept = Float.MAX_VALUE;
        float largestPruned = 0f;
        for (int l = 0; l < net.weighted().size(); l++) {
            float[] pruned = net.weighted().get(l).weight();
            float[] before = original.weighted().get(l).weight();
            for (int i = 0; i < pruned.length; i++) {
                if (pruned[i] != 0) {
                    smallestKept = Math.min(smallestKept, Math.abs(before[i]));
                } else {
                    largestPruned = Math.max(largestPruned, Math.abs(before[i]));
                }
            }
        }
        assertTrue(largestPruned <= smallestKept, largestPruned + " pruned, " + smallestKept + " kept");
    }

    @Test
    void sparsityAt_gradualSchedule_cubicFromZeroToTarget() {
        MagnitudePruning p = new MagnitudePruning(Network.referenceCnn(1), 0.8, 100, 1100, 10);
        assertEquals(0, p.sparsityAt(50));
        assertEquals(0, p.sparsityAt(100));
        assertEquals(0.8 * (1 - Math.pow(0.5, 3)), p.sparsityAt(600), 1e-12);
        assertEquals(0.8, p.sparsityAt(5000), 1e-12);
    }

    @Test
    void prune_halfTheChannels_keepsTheStrongestAndShrinksTheNextLayers() {
        Network net = Network.referenceCnn(2);
        Conv2d conv1 = (Conv2d) net.layers().get(0);
        for (int k = 0; k < conv1.cols(); k++) {
            conv1.weight()[3 * conv1.cols() + k] = 5f; // channel 3 is the strongest
        }
        Network pruned = ChannelPruning.prune(net, 0.5);
        List<WeightedLayer> w = pruned.weighted();
        assertEquals(8, w.get(0).rows());
        assertEquals(16, w.get(1).rows());
        assertEquals(8 * 9, w.get(1).cols());
        assertEquals(16 * 5 * 5, w.get(2).cols());
        assertEquals(10, w.get(3).rows());
        int position = java.util.Arrays.binarySearch(ChannelPruning.strongest(conv1, 8), 3);
        assertTrue(position >= 0, "the strongest channel is kept");
        float[] nines = new float[9];
        java.util.Arrays.fill(nines, 5f);
        assertArrayEquals(nines, java.util.Arrays.copyOfRange(w.get(0).weight(), position * 9, position * 9 + 9));
        assertTrue(pruned.parameterCount() < net.parameterCount() / 2);
    }
}
