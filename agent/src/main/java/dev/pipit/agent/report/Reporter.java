package dev.pipit.agent.report;

import com.google.protobuf.Message;
import dev.pipit.agent.load.LoadedModel;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;

/**
 * What a device tells the fleet: its retained DeviceStatus (also its Will), its retained MemoryReport,
 * and Rejections as events. Remembers the last rejection so every later status carries it.
 */
public final class Reporter {

    /** Where reports go: an MQTT connection in the agent. Returns false when it could not send. */
    @FunctionalInterface
    public interface Publisher {
        boolean publish(String topic, Message message, int qos, boolean retained);
    }

    private final String deviceId;
    private final String profile;
    private final String agentVersion;
    private final Publisher publisher;
    private volatile Rejection lastRejection;

    public Reporter(String deviceId, String profile, String agentVersion, Publisher publisher) {
        this.deviceId = deviceId;
        this.profile = profile;
        this.agentVersion = agentVersion;
        this.publisher = publisher;
    }

    /**
     * @param active the serving model or null
     * @param memory a memory sample or null (the Will carries none)
     */
    public DeviceStatus status(boolean online, long sequence, LoadedModel active, MemoryReport memory, long now) {
        DeviceStatus.Builder s = DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setProfile(profile)
                .setOnline(online)
                .setEpochMillis(now)
                .setAgentVersion(agentVersion)
                .setSequence(sequence);
        if (active != null) {
            s.setActive(active.describe());
        }
        if (lastRejection != null) {
            s.setLastRejection(lastRejection);
        }
        if (memory != null) {
            s.setMemory(memory);
        }
        return s.build();
    }

    public boolean publishStatus(DeviceStatus status) {
        return publisher.publish(Topics.deviceStatus(deviceId), status, 1, true);
    }

    public boolean publishMemory(MemoryReport report) {
        return publisher.publish(Topics.deviceMemory(deviceId), report, 1, true);
    }

    /** Records a rejection and sends it as an event; the caller republishes the status. */
    public Rejection reject(String modelId, long version, String variant, String reason, long now) {
        Rejection r = Rejection.newBuilder()
                .setModelId(modelId == null ? "" : modelId)
                .setVersion(version)
                .setVariant(variant == null ? "" : variant)
                .setReason(reason)
                .setEpochMillis(now)
                .build();
        lastRejection = r;
        publisher.publish(Topics.deviceEvents(deviceId), r, 1, false);
        return r;
    }

    public Rejection lastRejection() {
        return lastRejection;
    }
}
