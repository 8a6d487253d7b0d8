package dev.pipit.compress.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkTrainerTest {

    private static final LabeledImages TRAIN = TestData.train().slice(0, 3_000);
    private static final LabeledImages TEST = TestData.test().slice(0, 1_000);

    /** Padded, strided convolution, ReLU, pooling and two dense layers: every backward path. */
    private static Network small(long seed) {
        Random random = new Random(seed);
        int[] in = {1, 28, 28};
        Conv2d conv = new Conv2d(in, 3, 3, 2, 1, Network.uniform(random, 27, 0.5f), Network.uniform(random, 3, 0.1f));
        MaxPool pool = new MaxPool(conv.outputShape(), 2, 2);
        Dense fc1 = Dense.initialized(pool.outputSize(), 12, random);
        return new Network(in, List.of(conv, new Relu(conv.outputShape()), pool, fc1, new Relu(fc1.outputShape()),
                Dense.initialized(12, 10, random)));
    }

    @Test
    void lossAndGradients_smallCnn_matchNumericalDerivatives() {
        Network net = small(3);
        TrainingOptions options = new TrainingOptions(1, 8, 1, OptimizerKind.SGD, 0.1f, 0f, 2);
        int[] batch = {0, 1, 2, 3, 4, 5, 6, 7};
        Distillation distillation = new Distillation(NetworkTrainerTest::teacher, 4f, 0.7f);
        try (NetworkTrainer trainer = new NetworkTrainer(net, options)) {
            for (Distillation d : new Distillation[] {null, distillation}) {
                trainer.lossAndGradients(TRAIN, batch, d);
                int checked = 0;
                for (WeightedLayer layer : net.weighted()) {
                    float[] analytic = layer.weightGrad.clone();
                    for (int i = 0; i < layer.weight.length; i += Math.max(1, layer.weight.length / 7)) {
                        float saved = layer.weight[i];
                        float eps = 1e-3f;
                        layer.weight[i] = saved + eps;
                        layer.afterUpdate();
                        double up = trainer.lossAndGradients(TRAIN, batch, d);
                        layer.weight[i] = saved - eps;
                        layer.afterUpdate();
                        double down = trainer.lossAndGradients(TRAIN, batch, d);
                        layer.weight[i] = saved;
                        layer.afterUpdate();
                        double numeric = (up - down) / (2 * eps);
                        if (Math.abs(numeric) > 2e-3) {
                            assertEquals(numeric, analytic[i], 0.05 * Math.abs(numeric) + 1e-3,
                                    layer.getClass().getSimpleName() + " weight " + i + (d == null ? "" : " distilled"));
                            checked++;
                        }
                    }
                    trainer.lossAndGradients(TRAIN, batch, d);
                }
                assertTrue(checked >= 8, "checked " + checked + " derivatives");
            }
        }
    }

    /** A fixed random linear map of the image: logits that depend on the batch the trainer passes. */
    private static void teacher(float[] images, int n, float[] out) {
        Random random = new Random(5);
        float[] w = new float[784 * 10];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.2f;
        }
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < 10; c++) {
                float sum = 0;
                for (int p = 0; p < 784; p++) {
                    sum += images[b * 784 + p] * w[p * 10 + c];
                }
                out[b * 10 + c] = sum;
            }
        }
    }

    @Test
    void fit_shiftedDistillation_teacherSeesTheStudentsShiftedBatch() {
        LabeledImages few = TRAIN.slice(0, 200); // a full batch of 128 and a short one of 72
        Network student = small(4);
        Network frozen = student.copy();
        List<float[]> seen = new ArrayList<>();
        TrainingOptions options = new TrainingOptions(1, 128, 4, OptimizerKind.SGD, 0.5f, 0f, 2);
        try (NetworkTrainer twin = new NetworkTrainer(frozen, options);
             NetworkTrainer trainer = new NetworkTrainer(student, options)) {
            // the student's own function: pure matching has nothing to learn exactly when it is asked on the same images
            Teacher same = (images, n, out) -> {
                for (int b = 0; b < n; b++) {
                    seen.add(Arrays.copyOfRange(images, b * 784, (b + 1) * 784));
                }
                System.arraycopy(twin.logits(asImages(images, n)), 0, out, 0, n * 10);
            };
            trainer.fit(few, null, new Distillation(same, 2f, 1f), new RandomShift(2), null, s -> { });
        }
        assertEquals(200, seen.size());
        for (int l = 0; l < student.weighted().size(); l++) {
            assertArrayEquals(frozen.weighted().get(l).weight(), student.weighted().get(l).weight(), "layer " + l);
        }
        Set<String> originals = new HashSet<>();
        for (int i = 0; i < few.count(); i++) {
            originals.add(Arrays.toString(few.image(i)));
        }
        long shifted = seen.stream().filter(x -> !originals.contains(Arrays.toString(x))).count();
        assertTrue(shifted > 150, shifted + " of 200 images were moved"); // 1 in 25 draws no move
    }

    @Test
    void fit_shiftedDistillation_learnsFromATeacherThatDiffers() {
        LabeledImages few = TRAIN.slice(0, 200);
        Network student = small(4);
        Network before = student.copy();
        try (NetworkTrainer trainer = new NetworkTrainer(student, new TrainingOptions(1, 128, 4, OptimizerKind.SGD, 0.5f, 0f, 2))) {
            trainer.fit(few, null, new Distillation(NetworkTrainerTest::teacher, 2f, 1f), new RandomShift(2), null, s -> { });
        }
        assertFalse(Arrays.equals(before.weighted().get(0).weight(), student.weighted().get(0).weight()));
    }

    @Test
    void fit_sameSeedWithShift_identicalWeights() {
        LabeledImages few = TRAIN.slice(0, 300);
        Network a = small(6);
        Network b = small(6);
        TrainingOptions options = new TrainingOptions(2, 64, 6, OptimizerKind.ADAM, 1e-3f, 0.9f, 2, true);
        for (Network net : List.of(a, b)) {
            try (NetworkTrainer trainer = new NetworkTrainer(net, options)) {
                trainer.fit(few, null, null, new RandomShift(2), null, s -> { });
            }
        }
        for (int l = 0; l < a.weighted().size(); l++) {
            assertArrayEquals(a.weighted().get(l).weight(), b.weighted().get(l).weight(), "layer " + l);
        }
    }

    @Test
    void fit_shiftWithFlattenedInput_movesTheImagesAsTheyAre() {
        LabeledImages few = TRAIN.slice(0, 200);
        Network shaped = Network.mlp(new int[] {10}, 8);
        Network flat = new Network(new int[] {784}, Network.mlp(new int[] {10}, 8).layers());
        TrainingOptions options = new TrainingOptions(1, 64, 8, OptimizerKind.SGD, 0.1f, 0f, 2);
        for (Network net : List.of(shaped, flat)) {
            try (NetworkTrainer trainer = new NetworkTrainer(net, options)) {
                trainer.fit(few, null, null, new RandomShift(2), null, s -> { });
            }
        }
        assertArrayEquals(shaped.weighted().get(0).weight(), flat.weighted().get(0).weight());
    }

    /** Float images in [0, 1] that came from bytes, back as bytes (exact: k / 255 round-trips). */
    private static LabeledImages asImages(float[] images, int n) {
        byte[] pixels = new byte[n * 784];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = (byte) Math.round(images[p] * 255f);
        }
        return new LabeledImages(pixels, new byte[n], 28, 28, 10);
    }

    @Test
    void train_referenceCnnOnSubset_learns() {
        List<EpochStats> h = new ArrayList<>();
        NetworkTrainer.train(Network.referenceCnn(1), TRAIN, TEST, TrainingOptions.defaults(2, 1), h::add);
        assertTrue(h.get(1).loss() < h.get(0).loss(), "loss " + h);
        assertTrue(h.get(1).testAccuracy() > 0.60, "accuracy " + h.get(1)); // chance is 0.10
    }

    @Test
    void train_sameSeedDifferentThreadCounts_identicalWeights() {
        LabeledImages few = TRAIN.slice(0, 600);
        Network a = Network.referenceCnn(7);
        Network b = Network.referenceCnn(7);
        NetworkTrainer.train(a, few, null, new TrainingOptions(1, 64, 7, OptimizerKind.ADAM, 1e-3f, 0.9f, 2, true), s -> { });
        NetworkTrainer.train(b, few, null, new TrainingOptions(1, 64, 7, OptimizerKind.ADAM, 1e-3f, 0.9f, 1, true), s -> { });
        for (int l = 0; l < a.weighted().size(); l++) {
            assertArrayEquals(a.weighted().get(l).weight(), b.weighted().get(l).weight(), "layer " + l);
            assertArrayEquals(a.weighted().get(l).bias(), b.weighted().get(l).bias(), "layer " + l);
        }
    }

    @Test
    void toGraph_trainedCnn_runtimeAgreesWithTrainerAndLiftsBack() {
        Network net = Network.referenceCnn(2);
        NetworkTrainer.train(net, TRAIN.slice(0, 1_000), null, TrainingOptions.defaults(1, 2), s -> { });
        Graph g = GraphLowering.toGraph(net);
        float[] trainer;
        try (NetworkTrainer t = new NetworkTrainer(net, TrainingOptions.defaults(1, 2))) {
            trainer = t.logits(TEST.slice(0, 200));
        }
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(200, 1))) {
            float[] in = TestData.floats(TEST, 200);
            float[] out = new float[200 * 10];
            interpreter.run(in, 200, out);
            for (int i = 0; i < out.length; i++) {
                assertEquals(trainer[i], out[i], 1e-3f * Math.max(1f, Math.abs(out[i])), "logit " + i);
            }
            assertEquals(Evaluator.argmax(trainer, 0, 10), Evaluator.argmax(out, 0, 10));
        }
        Network back = GraphLowering.fromGraph(g);
        assertEquals(net.parameterCount(), back.parameterCount());
        assertEquals(108_618, back.parameterCount());
        assertArrayEquals(net.weighted().get(1).weight(), back.weighted().get(1).weight());
    }
}
