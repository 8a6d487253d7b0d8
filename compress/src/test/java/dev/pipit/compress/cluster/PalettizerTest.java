package dev.pipit.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PalettizerTest {

    @Test
    void cluster_gaussianWeights_sixteenCentroidsAndNearestAssignment() {
        Random random = new Random(1);
        float[] w = new float[5_000];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Palettizer.Palette p = Palettizer.cluster(w, 16);
        assertEquals(16, p.centroids().length);
        double error = 0;
        for (int i = 0; i < w.length; i++) {
            float assigned = p.centroids()[p.assignment()[i]];
            for (float c : p.centroids()) {
                assertTrue(Math.abs(w[i] - assigned) <= Math.abs(w[i] - c) + 1e-6f, "weight " + i + " not at its nearest centroid");
            }
            error += (w[i] - assigned) * (w[i] - assigned);
        }
        // 16 levels over a unit Gaussian: a uniform 16-level grid over ±3.5σ would give about (7/16)²/12 = 0.016
        assertTrue(error / w.length < 0.016, "mean squared error " + error / w.length);
    }
}
