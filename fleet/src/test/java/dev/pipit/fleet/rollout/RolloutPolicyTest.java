package dev.pipit.fleet.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPolicyTest {

    private static RolloutPolicy policy(int maxFailuresPercent, int minDevices) {
        return new RolloutPolicy(List.of(), 2, 25, maxFailuresPercent, minDevices, Duration.ofSeconds(30));
    }

    @Test
    void exceeded_failuresAboveShareAfterMinimum_halts() {
        RolloutPolicy p = policy(10, 5);
        assertFalse(p.exceeded(0, 1), "one failure before the minimum of 5 decided devices");
        assertFalse(p.exceeded(3, 1), "4 decided, still below the minimum");
        assertTrue(p.exceeded(4, 1), "1 of 5 = 20% > 10%");
        assertFalse(p.exceeded(9, 1), "1 of 10 = 10% is not more than 10%");
        assertTrue(p.exceeded(8, 2));
    }

    @Test
    void exceeded_zeroTolerance_haltsOnFirstFailure() {
        assertTrue(policy(0, 1).exceeded(7, 1));
        assertFalse(policy(0, 1).exceeded(7, 0));
    }

    @Test
    void stepSize_percentOfGroup_roundsUpToAtLeastOne() {
        RolloutPolicy p = policy(10, 1);
        assertEquals(3, p.stepSize(10));
        assertEquals(1, p.stepSize(2));
        assertEquals(125, p.stepSize(500));
    }

    @Test
    void toProto_roundTrip_keepsEveryField() {
        RolloutPolicy p = new RolloutPolicy(List.of("lab", "field"), 3, 40, 15, 4, Duration.ofSeconds(90));
        assertEquals(p, RolloutPolicy.of(p.toProto()));
    }

    @Test
    void constructor_outOfRange_throwsNamingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of(), 1, 0, 10, 1, Duration.ofSeconds(5))).getMessage().contains("--step"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of(), 1, 10, 101, 1, Duration.ofSeconds(5))).getMessage().contains("--max-failures"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of(), -1, 10, 10, 1, Duration.ofSeconds(5))).getMessage().contains("--canary"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of(), 1, 10, 10, 1, Duration.ZERO)).getMessage().contains("--wait-healthy"));
        assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of("a", "a"), 1, 10, 10, 1, Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new RolloutPolicy(List.of("a/b"), 1, 10, 10, 1, Duration.ofSeconds(5)));
    }
}
