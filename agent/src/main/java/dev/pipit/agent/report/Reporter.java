package dev.pipit.agent.report;

import com.google.protobuf.Message;
import dev.pipit.agent.load.LoadedModel;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.TuneReport;

/**
 * What a device tells the fleet: its retained DeviceStatus (also its Will), its retained MemoryReport,
 * and events (Rejection, ModelEvent, TuneReport). Remembers the last of each event so every later
 * status carries them.
 */
public final class Reporter {

    /** Where reports go: an MQTT connection in the agent. Returns false when it could not send now. */
    @FunctionalInterface
    public interface Publisher {
        boolean publish(String topic, Message message, int qos, boolean retained);
    }

    /**
     * What the status says besides the model and memory.
     *
     * @param active the serving model, or null
     * @param rollbackTarget the model a rollback returns to, or null
     * @param probation whether the active model is still on probation
     * @param droppedReports reports dropped from the full offline buffer
     * @param reportIntervalSeconds the interval of periodic reports in force
     */
    public record Snapshot(LoadedModel active, ActiveModel rollbackTarget, boolean probation, long droppedReports,
                           int reportIntervalSeconds) {
    }

    private final String deviceId;
    private final String profile;
    private final String agentVersion;
    private final String group;
    private final Publisher publisher;
    private volatile Rejection lastRejection;
    private volatile ModelEvent lastEvent;
    private volatile TuneReport lastTune;

    public Reporter(String deviceId, String profile, String agentVersion, String group, Publisher publisher) {
        this.deviceId = deviceId;
        this.profile = profile;
        this.agentVersion = agentVersion;
        this.group = group;
        this.publisher = publisher;
    }

    /** @param memory a memory sample or null (the Will carries none) */
    public DeviceStatus status(boolean online, long sequence, Snapshot s, MemoryReport memory, long now) {
        DeviceStatus.Builder b = DeviceStatus.newBuilder()
                .setDeviceId(deviceId)
                .setProfile(profile)
                .setOnline(online)
                .setEpochMillis(now)
                .setAgentVersion(agentVersion)
                .setSequence(sequence)
                .setGroup(group)
                .setProbation(s.probation())
                .setDroppedReports(s.droppedReports())
                .setReportIntervalSeconds(s.reportIntervalSeconds());
        if (s.active() != null) {
            b.setActive(s.active().describe());
        }
        if (s.rollbackTarget() != null) {
            b.setRollbackTarget(s.rollbackTarget());
        }
        if (lastRejection != null) {
            b.setLastRejection(lastRejection);
        }
        if (lastEvent != null) {
            b.setLastEvent(lastEvent);
        }
        if (lastTune != null) {
            b.setLastTune(lastTune);
        }
        if (memory != null) {
            b.setMemory(memory);
        }
        return b.build();
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

    /** Records an activation or rollback and sends it as an event; the caller republishes the status. */
    public ModelEvent modelChanged(ModelEvent.Kind kind, ActiveModel active, ActiveModel previous, String reason,
                                   long now) {
        ModelEvent.Builder e = ModelEvent.newBuilder().setKind(kind).setDeviceId(deviceId).setReason(reason)
                .setEpochMillis(now);
        if (active != null) {
            e.setActive(active);
        }
        if (previous != null) {
            e.setPrevious(previous);
        }
        ModelEvent event = e.build();
        lastEvent = event;
        publisher.publish(Topics.deviceEvents(deviceId), event, 1, false);
        return event;
    }

    /** Records what tuning measured and sends it as an event. */
    public void tuned(TuneReport report) {
        lastTune = report;
        publisher.publish(Topics.deviceEvents(deviceId), report, 1, false);
    }

    public Rejection lastRejection() {
        return lastRejection;
    }

    public ModelEvent lastEvent() {
        return lastEvent;
    }

    public TuneReport lastTune() {
        return lastTune;
    }
}
