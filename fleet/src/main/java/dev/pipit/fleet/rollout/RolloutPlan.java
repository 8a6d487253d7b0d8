package dev.pipit.fleet.rollout;

import dev.pipit.protocol.v1.DeviceRollout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The steps of a rollout: for each group in order, a canary of the group's first devices (by id), then
 * steps of the policy's percentage of the group until every device of it is covered.
 *
 * @param devices every device, in step order, all pending
 * @param steps how many steps that makes
 */
public record RolloutPlan(List<DeviceRollout> devices, int steps) {

    public RolloutPlan {
        devices = List.copyOf(devices);
    }

    /**
     * @param groupOf every known device's group, by device id
     * @throws IllegalArgumentException if a group the policy names, or the whole fleet, has no devices
     */
    public static RolloutPlan of(Map<String, String> groupOf, RolloutPolicy policy) {
        SortedMap<String, List<String>> byGroup = new TreeMap<>();
        new TreeMap<>(groupOf).forEach((id, group) -> byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(id));
        List<String> order = policy.groups().isEmpty() ? List.copyOf(byGroup.keySet()) : policy.groups();
        for (String g : order) {
            if (!byGroup.containsKey(g)) {
                throw new IllegalArgumentException("no device of group '" + g + "' has reported to this broker (groups "
                        + "known: " + (byGroup.isEmpty() ? "none" : String.join(", ", new TreeSet<>(byGroup.keySet()))) + ")");
            }
        }
        if (order.isEmpty()) {
            throw new IllegalArgumentException("no device has reported to this broker: nothing to roll out to");
        }
        List<DeviceRollout> devices = new ArrayList<>();
        int step = 0;
        for (String g : order) {
            List<String> ids = byGroup.get(g);
            int done = 0;
            int size = Math.min(policy.canary(), ids.size());
            while (done < ids.size()) {
                if (size > 0) {
                    for (String id : ids.subList(done, done + size)) {
                        devices.add(DeviceRollout.newBuilder().setDeviceId(id).setGroup(g).setStep(step)
                                .setState(DeviceRollout.State.PENDING).build());
                    }
                    done += size;
                    step++;
                }
                size = Math.min(policy.stepSize(ids.size()), ids.size() - done);
            }
        }
        return new RolloutPlan(devices, step);
    }
}
