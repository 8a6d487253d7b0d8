package dev.pipit.compress.security.evasion;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.train.Network;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class AdversarialTrainingTest {

    private static final int N = 100;
    private static final LabeledImages IMAGES = ReferenceCnn.images(N);
    private static final float[] CLEAN = TestData.floats(IMAGES, N);
    private static final int[] LABELS = ReferenceCnn.labels(IMAGES);

    private static double pgdAccuracy(Network net) {
        Backprop model = new Backprop(net, N, 2);
        return ReferenceCnn.accuracy(model, LinfAttack.pgd(0.1f, 10, 3).craft(model, CLEAN, LABELS, N), LABELS);
    }

    @Test
    void fineTune_shortRun_raisesWhiteBoxPgdAccuracy() {
        Network net = ReferenceCnn.network();
        double before = pgdAccuracy(net);
        new AdversarialTraining(0.1f, 3, 1, 3e-3f, 64, 5, 2).fineTune(net, TestData.train().slice(0, 1_500),
                new PrintStream(OutputStream.nullOutputStream()));
        double after = pgdAccuracy(net);
        assertTrue(after > before + 0.1, "PGD ε 0.1 accuracy " + before + " -> " + after);
    }

    @Test
    void new_oddBatchOfOne_fails() {
        assertThrows(IllegalArgumentException.class, () -> new AdversarialTraining(0.1f, 3, 1, 1e-3f, 1, 5, 1));
    }
}
