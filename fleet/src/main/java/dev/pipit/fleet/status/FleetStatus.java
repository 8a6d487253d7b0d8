package dev.pipit.fleet.status;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.rollout.RolloutSummary;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.RolloutState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The fleet as the broker remembers it: subscribes to every device's retained status and memory
 * report and to every model's retained rollout state, collects for a settle time, and summarises one
 * record per device and per rollout. A message that does not parse is logged and skipped: one broken
 * device must not hide the others.
 */
public final class FleetStatus {

    private static final System.Logger LOG = System.getLogger(FleetStatus.class.getName());

    /** Devices sorted by id, rollouts by model. */
    public record Snapshot(List<DeviceSummary> devices, List<RolloutSummary> rollouts) {
        public Snapshot {
            devices = List.copyOf(devices);
            rollouts = List.copyOf(rollouts);
        }
    }

    private final Map<String, DeviceStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, MemoryReport> memories = new ConcurrentHashMap<>();
    private final Map<String, RolloutState> rollouts = new ConcurrentHashMap<>();

    private FleetStatus() {
    }

    /** Every device that has a retained status or memory report, sorted by id. */
    public static List<DeviceSummary> collect(BrokerEndpoint broker, Duration settle) throws IOException {
        return snapshot(broker, settle).devices();
    }

    /** Every device, and every model's latest rollout. */
    public static Snapshot snapshot(BrokerEndpoint broker, Duration settle) throws IOException {
        FleetStatus status = new FleetStatus();
        MessageRouter router = new MessageRouter();
        router.on(Topics.ALL_DEVICE_STATUS, (topic, message) -> status.received(topic, message.getPayload(),
                status.statuses, DeviceStatus::parseFrom));
        router.on(Topics.ALL_DEVICE_MEMORY, (topic, message) -> status.received(topic, message.getPayload(),
                status.memories, MemoryReport::parseFrom));
        router.on(Topics.ALL_ROLLOUTS, (topic, message) -> status.received(topic, message.getPayload(),
                status.rollouts, RolloutState::parseFrom));
        try (BrokerSession session = broker.connect("pipit-fleet-status", router)) {
            session.client().subscribe(new String[] {Topics.ALL_DEVICE_STATUS, Topics.ALL_DEVICE_MEMORY,
                    Topics.ALL_ROLLOUTS}, new int[] {1, 1, 1}).waitForCompletion(10_000);
            Thread.sleep(settle.toMillis());
        } catch (MqttException e) {
            throw new IOException("cannot subscribe to device status on " + broker.url() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while collecting device status", e);
        }
        List<RolloutSummary> rollouts = new TreeMap<>(status.rollouts).values().stream().map(RolloutSummary::of).toList();
        return new Snapshot(status.summaries(), rollouts);
    }

    private List<DeviceSummary> summaries() {
        TreeSet<String> ids = new TreeSet<>(statuses.keySet());
        ids.addAll(memories.keySet());
        List<DeviceSummary> out = new ArrayList<>();
        for (String id : ids) {
            out.add(summary(id, statuses.get(id), memories.get(id)));
        }
        return out;
    }

    private static DeviceSummary summary(String id, DeviceStatus s, MemoryReport m) {
        MemoryReport latest = m;
        if (s != null && s.hasMemory() && (m == null || s.getMemory().getEpochMillis() > m.getEpochMillis())) {
            latest = s.getMemory();
        }
        MemorySummary memory = latest == null ? null : MemorySummary.of(latest);
        if (s == null) {
            return new DeviceSummary(id, null, null, null, null, null, null, null, null, memory, null);
        }
        boolean active = s.hasActive() && !s.getActive().getModelId().isEmpty();
        return new DeviceSummary(id, emptyToNull(s.getProfile()), emptyToNull(s.getGroup()), s.getOnline(),
                active ? s.getActive().getModelId() : null,
                active ? s.getActive().getVersion() : null,
                active ? emptyToNull(s.getActive().getVariant()) : null,
                active ? emptyToNull(s.getActive().getSelectionReason()) : null,
                s.hasLastRejection() ? emptyToNull(s.getLastRejection().getReason()) : null,
                memory, s.getEpochMillis() == 0 ? null : s.getEpochMillis());
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Parses one retained message. */
    @FunctionalInterface
    private interface Parser<T> {
        T parse(byte[] payload) throws InvalidProtocolBufferException;
    }

    /** Keyed by the device id (device topics) or the model (rollout topics), both taken from the topic. */
    private <T> void received(String topic, byte[] payload, Map<String, T> target, Parser<T> parser) {
        String key = topic.startsWith(Topics.ROOT + "/rollouts/") ? Topics.rolloutModelOf(topic) : Topics.deviceIdOf(topic);
        if (key == null) {
            return;
        }
        if (payload.length == 0) {
            target.remove(key); // an empty retained message clears the entry
            return;
        }
        try {
            target.put(key, parser.parse(payload));
        } catch (InvalidProtocolBufferException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring {0}: it does not parse: {1}", topic, e.getMessage());
        }
    }
}
