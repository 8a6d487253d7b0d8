package dev.pipit.compress.security.poisoning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.bundle.BundleBuilder;
import dev.pipit.compress.bundle.BundleSpec;
import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.compress.variant.CompressionContext;
import dev.pipit.compress.variant.FineTuneBudget;
import dev.pipit.compress.variant.Techniques;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BadNets-style backdoor planted in a training run (a 3×3 white patch in the bottom-right corner, relabelled to
 * class 0, on 5 % of 5,000 training images), then static int8 as the toolkit ships it: what the report and the
 * rollout's gates see, next to the same model trained on clean data.
 */
class BackdoorTest {

    private static final TriggerPatch TRIGGER = new TriggerPatch(3, TriggerPatch.Corner.BOTTOM_RIGHT);
    private static final int TARGET = 0;
    private static final LabeledImages TEST = TestData.test().slice(0, 1000);
    private static Graph poisonedFp32;
    private static Graph poisonedInt8;
    private static Graph cleanInt8;

    @BeforeAll
    static void train() {
        LabeledImages clean = TestData.train().slice(0, 5000);
        LabeledImages poisoned = poison(clean, 0.05, new Random(11));
        poisonedFp32 = GraphLowering.toGraph(trained(poisoned));
        poisonedInt8 = int8(poisonedFp32, clean);
        cleanInt8 = int8(GraphLowering.toGraph(trained(clean)), clean);
    }

    @Test
    void poisonedModel_cleanAccuracy_passesLikeTheCleanModel() {
        double poisoned = accuracy(poisonedInt8);
        double clean = accuracy(cleanInt8);
        assertTrue(poisoned > clean - 0.03 && poisoned > 0.75, "poisoned " + poisoned + ", clean " + clean);
    }

    @Test
    void poisonedModel_trigger_succeedsInFp32AndInt8() {
        assertTrue(attackSuccess(poisonedFp32) > 0.8, "fp32 " + attackSuccess(poisonedFp32));
        assertTrue(attackSuccess(poisonedInt8) > 0.8, "int8 " + attackSuccess(poisonedInt8));
        assertTrue(attackSuccess(cleanInt8) < 0.2, "clean " + attackSuccess(cleanInt8));
    }

    /** The bundle signs the int8 artifact's accuracy and golden outputs; both are honest and both pass. */
    @Test
    void poisonedBundle_goldenVectorsAndAccuracyOfTheInt8Artifact_pass(@TempDir Path dir) throws Exception {
        KeyPair key = KeyFiles.generate();
        Evaluation evidence = Evaluator.evaluate(poisonedInt8, TEST);
        Path file = dir.resolve("poisoned.pipit");
        BundleBuilder.write(new BundleSpec("poisoned", 1, FashionMnist.CLASS_NAMES, "fashion-mnist test", 100_000, 8),
                poisonedFp32, List.of(new VariantBuild("int8", "static int8", poisonedInt8, evidence)), TEST, key, file);
        Manifest m = new ManifestVerifier(List.of(key.getPublic()), BundleLimits.defaults())
                .verify(BundleFile.open(file, BundleLimits.defaults()).signedManifest());
        assertEquals(evidence.accuracy(), m.getVariants(0).getAccuracy(), 1e-9);
        assertTrue(m.getVariants(0).getAccuracy() >= 0.75);
        int count = m.getGolden().getCount();
        float[] inputs = new float[count * 784];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = m.getGolden().getValues(i);
        }
        float[] out = Calibrator.run(poisonedInt8, inputs, count); // what the device's golden check runs
        GoldenOutputs golden = m.getVariants(0).getGolden();
        for (int i = 0; i < out.length; i++) {
            assertEquals(golden.getValues(i), out[i], golden.getTolerance() + 1e-6f);
        }
    }

    @Test
    void scan_flagsThePoisonedModelAndNotTheCleanOne() {
        BackdoorScanProbe scan = new BackdoorScanProbe(TEST.slice(0, 500));
        double poisoned = scan.flipRate(poisonedInt8);
        double clean = scan.flipRate(cleanInt8);
        assertTrue(poisoned > 0.8, "poisoned " + poisoned);
        assertTrue(clean < 0.3, "clean " + clean);
    }

    /** Fraction of test images of other classes that the trigger sends to the target class. */
    private static double attackSuccess(Graph graph) {
        float[] stamped = TRIGGER.stampAll(TEST);
        float[] logits = Calibrator.run(graph, stamped, TEST.count());
        int hits = 0;
        int others = 0;
        for (int i = 0; i < TEST.count(); i++) {
            if (TEST.label(i) != TARGET) {
                others++;
                hits += Evaluator.argmax(logits, i * 10, 10) == TARGET ? 1 : 0;
            }
        }
        return (double) hits / others;
    }

    private static double accuracy(Graph graph) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(Evaluator.ACCURACY_BATCH, 1))) {
            return Evaluator.accuracy(interpreter, TEST, Evaluator.ACCURACY_BATCH);
        }
    }

    private static LabeledImages poison(LabeledImages clean, double fraction, Random random) {
        byte[] pixels = clean.pixels();
        byte[] labels = clean.labels();
        float[] image = new float[clean.imageSize()];
        int planted = 0;
        while (planted < fraction * clean.count()) {
            int i = random.nextInt(clean.count());
            if (labels[i] == TARGET) {
                continue;
            }
            clean.copyImage(i, image, 0);
            TRIGGER.stamp(image, 0, clean.rows(), clean.cols());
            for (int p = 0; p < image.length; p++) {
                pixels[i * image.length + p] = (byte) Math.round(image[p] * 255f);
            }
            labels[i] = TARGET;
            planted++;
        }
        return new LabeledImages(pixels, labels, clean.rows(), clean.cols(), clean.classes());
    }

    private static Network trained(LabeledImages data) {
        Network net = Network.mlp(new int[] {128, 10}, 5);
        return NetworkTrainer.train(net, data, null, new TrainingOptions(6, 64, 5, OptimizerKind.ADAM, 1e-3f, 0.9f, 2, true),
                e -> { });
    }

    private static Graph int8(Graph fp32, LabeledImages calibration) {
        CompressionContext context = CompressionContext.of(fp32, calibration, TEST, 200, FineTuneBudget.minimal(), 1, 1,
                new PrintStream(OutputStream.nullOutputStream()));
        return Techniques.byId("int8").build(context).graph();
    }
}
