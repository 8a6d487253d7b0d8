package dev.pipit.fleet.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.v1.DeviceRollout;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {

    private static Map<String, String> fleet(String group, int count) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = count; i >= 1; i--) { // not in id order: the plan sorts
            m.put(String.format("%s-%02d", group, i), group);
        }
        return m;
    }

    private static RolloutPolicy policy(List<String> groups, int canary, int step) {
        return new RolloutPolicy(groups, canary, step, 10, 1, Duration.ofSeconds(30));
    }

    @Test
    void of_groupsInOrder_canaryThenPercentSteps() {
        Map<String, String> devices = fleet("lab", 4);
        devices.putAll(fleet("field", 10));

        RolloutPlan plan = RolloutPlan.of(devices, policy(List.of("lab", "field"), 1, 30));

        // lab: 1, then ceil(4 * 30%) = 2, then the last 1; field: 1, then 3, 3, 3
        assertEquals(7, plan.steps());
        assertEquals(List.of(0, 1, 1, 2, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6),
                plan.devices().stream().map(DeviceRollout::getStep).toList());
        assertEquals("lab-01", plan.devices().get(0).getDeviceId());
        assertEquals("field-01", plan.devices().get(4).getDeviceId());
        assertTrue(plan.devices().stream().allMatch(d -> d.getState() == DeviceRollout.State.PENDING));
        assertEquals(List.of("lab", "lab", "lab", "lab"),
                plan.devices().subList(0, 4).stream().map(DeviceRollout::getGroup).toList());
    }

    @Test
    void of_noGroupsNamed_everyGroupByName() {
        Map<String, String> devices = fleet("b", 2);
        devices.putAll(fleet("a", 2));

        RolloutPlan plan = RolloutPlan.of(devices, policy(List.of(), 0, 100));

        assertEquals(2, plan.steps());
        assertEquals(List.of("a-01", "a-02", "b-01", "b-02"), plan.devices().stream().map(DeviceRollout::getDeviceId).toList());
    }

    @Test
    void of_canaryLargerThanGroup_wholeGroupInOneStep() {
        RolloutPlan plan = RolloutPlan.of(fleet("g", 2), policy(List.of(), 5, 50));
        assertEquals(1, plan.steps());
        assertEquals(2, plan.devices().size());
    }

    @Test
    void of_unknownGroup_throwsNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RolloutPlan.of(fleet("lab", 2), policy(List.of("field"), 1, 50)));
        assertTrue(e.getMessage().contains("'field'") && e.getMessage().contains("lab"), e.getMessage());
    }

    @Test
    void of_noDevices_throws() {
        assertThrows(IllegalArgumentException.class, () -> RolloutPlan.of(Map.of(), policy(List.of(), 1, 50)));
    }
}
