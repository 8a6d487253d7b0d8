package dev.pipit.fleet.rollout;

import dev.pipit.protocol.topic.Topics;
import java.time.Duration;
import java.util.List;

/**
 * How a staged rollout proceeds: group by group, each group's first step a canary of a few devices, then
 * steps of a percentage of the group. It halts once failed devices exceed a share of the decided ones
 * (healthy + failed), counted only after a minimum number was decided: hawkBit's error threshold,
 * Greengrass's abort criteria.
 *
 * @param groups device groups in rollout order; empty: every group, by name
 * @param canary devices in the first step of each group (0: none)
 * @param stepPercent of a group's devices in each later step, 1 to 100
 * @param maxFailuresPercent failures tolerated, as a share of decided devices, 0 to 100
 * @param minDevices decided devices before the threshold applies (at least 1)
 * @param waitHealthy from a device's manifest to its healthy verdict; later is a failure
 */
public record RolloutPolicy(List<String> groups, int canary, int stepPercent, int maxFailuresPercent, int minDevices,
                            Duration waitHealthy) {

    public RolloutPolicy {
        groups = List.copyOf(groups);
        groups.forEach(Topics::segment);
        if (groups.stream().distinct().count() != groups.size()) {
            throw new IllegalArgumentException("a group is named twice in " + groups);
        }
        if (canary < 0) {
            throw new IllegalArgumentException("--canary must not be negative, was " + canary);
        }
        if (stepPercent < 1 || stepPercent > 100) {
            throw new IllegalArgumentException("--step must be a percentage from 1 to 100, was " + stepPercent);
        }
        if (maxFailuresPercent < 0 || maxFailuresPercent > 100) {
            throw new IllegalArgumentException("--max-failures must be a percentage from 0 to 100, was " + maxFailuresPercent);
        }
        if (minDevices < 1) {
            throw new IllegalArgumentException("--min-devices must be at least 1, was " + minDevices);
        }
        if (waitHealthy.toSeconds() < 1) {
            throw new IllegalArgumentException("--wait-healthy must be at least 1 second, was " + waitHealthy.toSeconds());
        }
    }

    /** True once the failures must halt the rollout: more than the tolerated share, after enough devices. */
    public boolean exceeded(int healthy, int failed) {
        int decided = healthy + failed;
        return decided >= minDevices && failed * 100L > (long) maxFailuresPercent * decided;
    }

    /** Devices per step after the canary: the percentage of the group, rounded up, at least one. */
    public int stepSize(int groupSize) {
        return Math.max(1, (int) Math.ceil(groupSize * stepPercent / 100.0));
    }

    public dev.pipit.protocol.v1.RolloutPolicy toProto() {
        return dev.pipit.protocol.v1.RolloutPolicy.newBuilder()
                .addAllGroups(groups)
                .setCanary(canary)
                .setStepPercent(stepPercent)
                .setMaxFailuresPercent(maxFailuresPercent)
                .setMinDevices(minDevices)
                .setWaitHealthySeconds((int) waitHealthy.toSeconds())
                .build();
    }

    public static RolloutPolicy of(dev.pipit.protocol.v1.RolloutPolicy p) {
        return new RolloutPolicy(p.getGroupsList(), p.getCanary(), p.getStepPercent(), p.getMaxFailuresPercent(),
                p.getMinDevices(), Duration.ofSeconds(p.getWaitHealthySeconds()));
    }
}
