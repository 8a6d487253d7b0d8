package dev.pipit.compress.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.train.Mlp;
import dev.pipit.runtime.graph.Graph;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    @Test
    void perSample_referenceMlp_countsEveryWeight() {
        assertEquals(784 * 256 + 256 * 128 + 128 * 10, Macs.perSample(Mlp.reference(1).toGraph()));
    }

    @Test
    void evaluate_untrainedMlp_measuresEveryFigure() {
        Graph g = Mlp.reference(1).toGraph();
        LabeledImages images = TestData.test().slice(0, 500);
        Evaluation e = Evaluator.evaluate(g, images);
        assertEquals(500, e.images());
        assertTrue(e.accuracy() < 0.4, "an untrained model is near chance: " + e.accuracy());
        assertEquals(g.weightBytes(), e.weightBytes());
        assertTrue(e.arenaBytes() >= 4 * 256 && e.arenaBytes() < 64 * 1024, "arena " + e.arenaBytes());
        assertTrue(e.p50Micros() > 0, "latency " + e.p50Micros());
    }

    @Test
    void argmax_ties_pickTheFirst() {
        assertEquals(1, Evaluator.argmax(new float[] {9, 0, 5, 5, 1}, 1, 4));
    }
}
