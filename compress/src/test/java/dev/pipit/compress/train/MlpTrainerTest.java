package dev.pipit.compress.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlpTrainerTest {

    private static final LabeledImages TRAIN = TestData.train().slice(0, 6_000);
    private static final LabeledImages TEST = TestData.test().slice(0, 2_000);

    private static List<EpochStats> train(Mlp model, TrainingOptions options) {
        List<EpochStats> history = new ArrayList<>();
        MlpTrainer.train(model, TRAIN, TEST, options, history::add);
        return history;
    }

    @Test
    void train_adamOnSubset_reducesLossAndLearns() {
        List<EpochStats> h = train(Mlp.reference(1), TrainingOptions.defaults(3, 1));
        assertEquals(3, h.size());
        assertTrue(h.get(2).loss() < h.get(0).loss(), "loss " + h);
        assertTrue(h.get(0).loss() < 1.5, "first-epoch loss " + h.get(0)); // chance is ln 10 = 2.30
        assertTrue(h.get(2).testAccuracy() > 0.78, "accuracy " + h.get(2));
    }

    @Test
    void train_sgdMomentumOnSubset_reducesLossAndLearns() {
        List<EpochStats> h = train(Mlp.reference(1), TrainingOptions.defaults(3, 1).withOptimizer(OptimizerKind.SGD, 0.05f));
        assertTrue(h.get(2).loss() < h.get(0).loss(), "loss " + h);
        assertTrue(h.get(2).testAccuracy() > 0.75, "accuracy " + h.get(2));
    }

    @Test
    void train_sameSeedDifferentThreadCounts_identicalWeights() {
        TrainingOptions two = TrainingOptions.defaults(1, 7);
        TrainingOptions one = new TrainingOptions(1, 128, 7, OptimizerKind.ADAM, 1e-3f, 0.9f, 1);
        Mlp a = Mlp.reference(7);
        Mlp b = Mlp.reference(7);
        train(a, two);
        train(b, one);
        for (int l = 0; l < a.layers(); l++) {
            assertArrayEquals(a.weights()[l], b.weights()[l], "layer " + l);
            assertArrayEquals(a.biases()[l], b.biases()[l], "layer " + l);
        }
    }

    @Test
    void toGraph_trainedModel_runtimeAgreesWithTrainer() {
        Mlp model = Mlp.reference(3);
        List<EpochStats> h = train(model, TrainingOptions.defaults(1, 3));
        try (Interpreter interpreter = Interpreter.load(model.toGraph(), new RuntimeOptions(100, 1))) {
            assertEquals(784, interpreter.inputSize());
            assertEquals(10, interpreter.outputSize());
            double runtime = Evaluator.accuracy(interpreter, TEST, 100);
            assertEquals(h.get(0).testAccuracy(), runtime, 0.002); // fp32 summation order may flip a near-tie
        }
    }

    @Test
    void reference_initialisation_withinPytorchBounds() {
        Mlp m = Mlp.reference(5);
        assertArrayEquals(new int[] {256, 128, 10}, m.widths());
        float bound = (float) (1 / Math.sqrt(784));
        float max = 0;
        for (float w : m.weights()[0]) {
            max = Math.max(max, Math.abs(w));
        }
        assertTrue(max <= bound && max > 0.95f * bound, "max |w| " + max + " bound " + bound);
        assertEquals(235_146, m.weights()[0].length + m.weights()[1].length + m.weights()[2].length
                + m.biases()[0].length + m.biases()[1].length + m.biases()[2].length);
    }
}
