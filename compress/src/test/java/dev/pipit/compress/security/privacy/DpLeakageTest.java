package dev.pipit.compress.security.privacy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.train.DpSgdOptions;
import dev.pipit.compress.train.DpSgdTrainer;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import org.junit.jupiter.api.Test;

/**
 * On a setting that leaks (an MLP trained 40 epochs on 1,000 images), DP-SGD at ε = 3 takes most of the loss
 * attack's edge away: the same data, architecture, epochs and batch, with and without DP.
 */
class DpLeakageTest {

    @Test
    void dpSgd_onAnOverfittingSetup_cutsTheLossAttacksAuc() {
        LabeledImages members = TestData.train().slice(0, 1000);
        LabeledImages nonMembers = TestData.test().slice(0, 1000);
        Network plain = Network.mlp(new int[] {64, 10}, 3);
        NetworkTrainer.train(plain, members, null, new TrainingOptions(40, 50, 3, OptimizerKind.ADAM, 2e-3f, 0.9f, 1, false),
                e -> { });
        double q = 50 / 1000.0;
        long steps = 40 * 20;
        Network dp = Network.mlp(new int[] {64, 10}, 3);
        DpSgdTrainer.train(dp, members, null, new DpSgdOptions(40, 50, RdpAccountant.sigmaFor(3, q, steps, 1e-5), 1.0, 2e-3f,
                3, 1), e -> { });
        double plainAuc = MembershipProbe.lossAttack(GraphLowering.toGraph(plain), members, nonMembers).auc();
        double dpAuc = MembershipProbe.lossAttack(GraphLowering.toGraph(dp), members, nonMembers).auc();
        assertTrue(plainAuc > 0.57, "non-private AUC " + plainAuc);
        assertTrue(dpAuc - 0.5 < (plainAuc - 0.5) / 2, "DP AUC " + dpAuc + " vs non-private " + plainAuc);
    }
}
