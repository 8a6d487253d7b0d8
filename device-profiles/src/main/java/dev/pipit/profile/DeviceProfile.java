package dev.pipit.profile;

import java.util.Set;

/**
 * What a class of device offers a model. Loaded from a profile file (see device-profiles/README.md).
 *
 * @param name e.g. {@code rpi-4b-2gb}
 * @param description human-readable
 * @param ramBytes physical memory of the device
 * @param cores CPU cores
 * @param architecture e.g. {@code aarch64}, {@code x86_64}
 * @param simd SIMD features, e.g. {@code neon}, {@code asimddp}, {@code avx2}
 * @param modelMemoryBudgetBytes what a variant may use: weights plus planned arena
 * @param latencyBudgetMillis the most one batch-1 inference may take on this device
 * @param accuracyFloor the least test accuracy (fraction) a variant must have
 */
public record DeviceProfile(String name, String description, long ramBytes, int cores, String architecture,
                            Set<String> simd, long modelMemoryBudgetBytes, double latencyBudgetMillis,
                            double accuracyFloor) {

    public DeviceProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a device profile needs a name");
        }
        if (ramBytes <= 0 || cores <= 0 || modelMemoryBudgetBytes <= 0 || modelMemoryBudgetBytes > ramBytes) {
            throw new IllegalArgumentException("profile " + name
                    + ": RAM, cores and model memory budget must be positive, and the budget at most the RAM");
        }
        if (!(latencyBudgetMillis > 0) || !(accuracyFloor >= 0 && accuracyFloor <= 1)) {
            throw new IllegalArgumentException("profile " + name
                    + ": latency budget must be positive and the accuracy floor a fraction in [0, 1]");
        }
        simd = Set.copyOf(simd);
    }
}
