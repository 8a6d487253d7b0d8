package dev.pipit.compress.security.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.security.privacy.RdpAccountant.Conversion;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {

    private static final double Q = 256 / 60_000.0;

    private static long steps(int epochs) {
        return (long) Math.ceil(epochs * 60_000 / 256.0);
    }

    /**
     * TF-Privacy's tutorials/README.md (MNIST, N = 60,000, batch 256, δ = 1e-5), computed by compute_dp_sgd_privacy
     * with the 2017 conversion: σ 1.1 for 60 epochs → ε 3.01; σ 1.3 for 15 → 1.19; σ 0.7 for 45 → 7.10.
     */
    @Test
    void epsilon_tfPrivacyTutorialSettings_matchesPublishedFigures() {
        assertEquals(3.01, RdpAccountant.epsilon(Q, 1.1, steps(60), 1e-5, Conversion.MIRONOV_2017), 0.005);
        assertEquals(1.19, RdpAccountant.epsilon(Q, 1.3, steps(15), 1e-5, Conversion.MIRONOV_2017), 0.005);
        assertEquals(7.10, RdpAccountant.epsilon(Q, 0.7, steps(45), 1e-5, Conversion.MIRONOV_2017), 0.03);
    }

    @Test
    void epsilon_tighterConversion_isBelowTheClassicOne() {
        double classic = RdpAccountant.epsilon(Q, 1.1, steps(60), 1e-5, Conversion.MIRONOV_2017);
        double tight = RdpAccountant.epsilon(Q, 1.1, steps(60), 1e-5);
        assertTrue(tight < classic && tight > 0.8 * classic, tight + " vs " + classic);
    }

    @Test
    void rdp_fullBatch_isTheGaussianMechanismsClosedForm() {
        assertEquals(3 / (2 * 1.5 * 1.5), RdpAccountant.rdp(1, 1.5, 3), 1e-12);
    }

    @Test
    void rdp_fractionalOrderBetweenIntegers_liesBetweenThem() {
        double two = RdpAccountant.rdp(0.01, 1.0, 2);
        double half = RdpAccountant.rdp(0.01, 1.0, 2.5);
        double three = RdpAccountant.rdp(0.01, 1.0, 3);
        assertTrue(two < half && half < three, two + " " + half + " " + three);
    }

    @Test
    void epsilon_moreNoiseOrFewerSteps_spendsLess() {
        assertTrue(RdpAccountant.epsilon(Q, 2.0, steps(10), 1e-5) < RdpAccountant.epsilon(Q, 1.0, steps(10), 1e-5));
        assertTrue(RdpAccountant.epsilon(Q, 1.0, steps(5), 1e-5) < RdpAccountant.epsilon(Q, 1.0, steps(10), 1e-5));
    }

    @Test
    void sigmaFor_targetEpsilon_isMetAndTight() {
        for (double target : new double[] {1, 3, 8}) {
            double sigma = RdpAccountant.sigmaFor(target, 512 / 60_000.0, 351, 1e-5);
            assertTrue(RdpAccountant.epsilon(512 / 60_000.0, sigma, 351, 1e-5) <= target);
            assertTrue(RdpAccountant.epsilon(512 / 60_000.0, sigma * 0.99, 351, 1e-5) > target);
        }
    }

    @Test
    void epsilon_invalidArguments_throw() {
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.epsilon(0, 1, 10, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.epsilon(0.1, 1, 10, 0));
    }

    @Test
    void logErfc_matchesKnownValues() {
        assertEquals(Math.log(1.0), RdpAccountant.logErfc(0), 1e-6);
        assertEquals(Math.log(0.157299207050285), RdpAccountant.logErfc(1), 1e-6);
        assertEquals(Math.log(1.842700792949715), RdpAccountant.logErfc(-1), 1e-6);
        assertEquals(Math.log(2.088487583762545e-45), RdpAccountant.logErfc(10), 1e-5);
    }
}
