package dev.pipit.compress.security.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.OptimizerKind;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.PrintStream;
import java.io.OutputStream;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MembershipProbeTest {

    private static LabeledImages members;
    private static Network overfitted;

    /** A small MLP trained on 200 images for 40 epochs: it memorises them. */
    @BeforeAll
    static void overfit() {
        members = TestData.train().slice(0, 200);
        overfitted = Network.mlp(new int[] {64, 10}, 3);
        NetworkTrainer.train(overfitted, members, null, new TrainingOptions(40, 20, 3, OptimizerKind.ADAM, 2e-3f, 0.9f, 1,
                false), e -> { });
    }

    @Test
    void lossAttack_overfittedModel_separatesMembers() {
        Graph graph = GraphLowering.toGraph(overfitted);
        AttackRoc roc = MembershipProbe.lossAttack(graph, members, TestData.test().slice(0, 200));
        assertTrue(roc.auc() > 0.65, "AUC " + roc.auc());
    }

    @Test
    void lossAttack_twoDisjointNonMemberSets_aucNearHalf() {
        Graph graph = GraphLowering.toGraph(overfitted);
        AttackRoc roc = MembershipProbe.lossAttack(graph, TestData.test().slice(0, 1000), TestData.test().slice(1000, 1000));
        assertEquals(0.5, roc.auc(), 0.05);
    }

    @Test
    void measure_overfittedModel_bothAttacksAboveChanceAndStrongestReported() {
        // the first 200 training images are private (and the parent's members), the next 40 public
        SecurityContext memorised = new SecurityContext(overfitted, TestData.train().slice(0, 240),
                TestData.test().slice(0, 1000), 150, 5, 1, new PrintStream(OutputStream.nullOutputStream()));
        MembershipProbe probe = MembershipProbe.prepare(memorised, new OfflineLira.Options(3, 200, 10));
        Map<String, Double> figures = probe.measure(GraphLowering.toGraph(overfitted));
        assertTrue(figures.get("membershipLossAuc") > 0.65, figures.toString());
        assertTrue(figures.get("membershipShadowAuc") > 0.65, figures.toString());
        assertEquals(Math.max(figures.get("membershipLossAuc"), figures.get("membershipShadowAuc")),
                figures.get("membershipAuc"), 1e-12);
    }
}
