package dev.pipit.compress.security.evasion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import org.junit.jupiter.api.Test;

class LinfAttackTest {

    private static final int N = 200;
    private static final LabeledImages IMAGES = ReferenceCnn.images(N);
    private static final float[] CLEAN = TestData.floats(IMAGES, N);
    private static final int[] LABELS = ReferenceCnn.labels(IMAGES);

    @Test
    void craft_trainedCnn_pgdBelowFgsmBelowClean() {
        Backprop model = new Backprop(ReferenceCnn.network(), 100, 2);
        float eps = 0.03f;
        double clean = ReferenceCnn.accuracy(model, CLEAN, LABELS);
        double fgsm = ReferenceCnn.accuracy(model, LinfAttack.fgsm(eps).craft(model, CLEAN, LABELS, N), LABELS);
        double pgd = ReferenceCnn.accuracy(model, LinfAttack.pgd(eps, 10, 7).craft(model, CLEAN, LABELS, N), LABELS);
        assertTrue(clean > 0.8, "clean " + clean);
        assertTrue(fgsm < clean, "fgsm " + fgsm + " vs clean " + clean);
        assertTrue(pgd < fgsm, "pgd " + pgd + " vs fgsm " + fgsm);
    }

    @Test
    void craft_zeroEpsilon_leavesImagesAndAccuracyUnchanged() {
        Backprop model = new Backprop(ReferenceCnn.network(), 100, 2);
        float[] adv = LinfAttack.pgd(0f, 10, 7).craft(model, CLEAN, LABELS, N);
        assertArrayEquals(CLEAN, adv, 0f);
        assertEquals(ReferenceCnn.accuracy(model, CLEAN, LABELS), ReferenceCnn.accuracy(model, adv, LABELS), 0.0);
    }

    @Test
    void craft_pgdAndFgsm_stayWithinEpsilonAndUnitRange() {
        Backprop model = new Backprop(ReferenceCnn.network(), 100, 2);
        float eps = 0.1f;
        for (LinfAttack attack : new LinfAttack[] {LinfAttack.fgsm(eps), LinfAttack.pgd(eps, 10, 7)}) {
            float[] adv = attack.craft(model, CLEAN, LABELS, N);
            float largest = 0f;
            for (int i = 0; i < adv.length; i++) {
                assertTrue(adv[i] >= 0f && adv[i] <= 1f, "pixel " + i + " = " + adv[i]);
                largest = Math.max(largest, Math.abs(adv[i] - CLEAN[i]));
            }
            assertTrue(largest <= eps + 1e-6f, attack + " moved a pixel by " + largest);
            assertTrue(largest > eps / 2, attack + " barely moved: " + largest);
        }
    }

    @Test
    void craft_sameSeed_sameImages() {
        LinfAttack pgd = LinfAttack.pgd(0.1f, 3, 11);
        float[] a = pgd.craft(new Backprop(ReferenceCnn.network(), 50, 1), CLEAN, LABELS, 60);
        float[] b = pgd.craft(new Backprop(ReferenceCnn.network(), 50, 2), CLEAN, LABELS, 60);
        assertArrayEquals(a, b, 0f);
    }

    @Test
    void new_negativeEpsilon_fails() {
        assertThrows(IllegalArgumentException.class, () -> LinfAttack.fgsm(-0.1f));
    }
}
