package dev.pipit.compress.security.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AttackRocTest {

    @Test
    void of_perfectSeparation_aucOneAndFullTpr() {
        AttackRoc roc = AttackRoc.of(new double[] {5, 6, 7}, new double[] {1, 2, 3, 4});
        assertEquals(1.0, roc.auc(), 1e-12);
        assertEquals(1.0, roc.tprAt1Fpr(), 1e-12);
        assertEquals(1.0, roc.advantage(), 1e-12);
    }

    @Test
    void of_invertedScores_aucZeroAndNoTpr() {
        AttackRoc roc = AttackRoc.of(new double[] {1, 2}, new double[] {3, 4, 5});
        assertEquals(0.0, roc.auc(), 1e-12);
        assertEquals(0.0, roc.tprAt1Fpr(), 1e-12);
        assertEquals(0.0, roc.advantage(), 1e-12);
    }

    @Test
    void of_allScoresTied_aucHalfAndDiagonalTpr() {
        AttackRoc roc = AttackRoc.of(new double[] {1, 1, 1}, new double[] {1, 1});
        assertEquals(0.5, roc.auc(), 1e-12);
        assertEquals(0.01, roc.tprAt1Fpr(), 1e-12);
    }

    @Test
    void of_partialTies_countsTiesAsHalf() {
        // pairs (member, non-member): 3>2, 3>0, 2=2, 2>0, 1<2, 1>0 -> 4.5 of 6
        AttackRoc roc = AttackRoc.of(new double[] {3, 2, 1}, new double[] {2, 0});
        assertEquals(0.75, roc.auc(), 1e-12);
    }

    @Test
    void of_randomScores_aucNearHalf() {
        Random random = new Random(7);
        double[] m = new double[5000];
        double[] n = new double[5000];
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextDouble();
            n[i] = random.nextDouble();
        }
        AttackRoc roc = AttackRoc.of(m, n);
        assertEquals(0.5, roc.auc(), 0.02);
        assertEquals(0.01, roc.tprAt1Fpr(), 0.01);
    }

    @Test
    void tprAt_vertexExactlyAtFpr_takesHighestTpr() {
        // one non-member of 100 above the only member: (0,0) -> (0.01,0) -> (0.01,1) -> (1,1)
        double[] nonMembers = new double[100];
        nonMembers[0] = 20;
        assertEquals(1.0, AttackRoc.tprAt(new double[] {10}, nonMembers, 0.01), 1e-12);
    }

    @Test
    void tprAt_betweenVertices_interpolatesLinearly() {
        // 50 non-members: vertices (0, 0.5) after the member at 9, (0.02, 0.5) after non-member 8, (0.02, 1) ...
        double[] nonMembers = new double[50];
        nonMembers[0] = 8;
        assertEquals(0.5, AttackRoc.tprAt(new double[] {9, 7}, nonMembers, 0.01), 1e-12);
        // members 9 and 7 around one non-member 8 of 2: (0,.5) -> (.5,.5) -> (.5,1) -> (1,1); at FPR .25 -> .5
        assertEquals(0.5, AttackRoc.tprAt(new double[] {9, 7}, new double[] {8, 0}, 0.25), 1e-12);
        // a tied group spans (0,0) -> (1,1): TPR equals FPR
        assertEquals(0.3, AttackRoc.tprAt(new double[] {1, 1}, new double[] {1, 1}, 0.3), 1e-12);
    }

    @Test
    void of_emptySet_throws() {
        assertThrows(IllegalArgumentException.class, () -> AttackRoc.of(new double[0], new double[] {1}));
    }
}
