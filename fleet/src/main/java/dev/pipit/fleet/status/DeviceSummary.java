package dev.pipit.fleet.status;

/**
 * What the fleet knows about one device from its retained status and memory messages. Fields the
 * device has not reported are null.
 *
 * @param id the device id, taken from the topic (the broker's ACL ties it to the device's login)
 * @param profile the device profile it runs with
 * @param group the rollout group it belongs to
 * @param online false once its MQTT Will has been published
 * @param model active model id
 * @param version active model version
 * @param variant active variant id
 * @param selectionReason why the device chose that variant
 * @param lastRejection the reason of the last bundle, chunk or request it refused
 * @param memory its latest memory report
 * @param updatedEpochMillis when it last published its status
 */
public record DeviceSummary(String id, String profile, String group, Boolean online, String model, Long version, String variant,
                            String selectionReason, String lastRejection, MemorySummary memory,
                            Long updatedEpochMillis) {

    public DeviceSummary {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a device summary needs the device id");
        }
    }
}
