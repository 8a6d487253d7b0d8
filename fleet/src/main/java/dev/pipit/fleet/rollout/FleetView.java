package dev.pipit.fleet.rollout;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices as a running controller sees them: the latest status and memory report of each, retained
 * and live. The device id comes from the topic (the broker's ACL ties it to the device's login).
 */
final class FleetView {

    private static final System.Logger LOG = System.getLogger(FleetView.class.getName());
    static final String DEFAULT_GROUP = "default";

    private final Map<String, DeviceStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, MemoryReport> memories = new ConcurrentHashMap<>();

    /** The filters to subscribe to once {@link #attach} has routed them. */
    static List<String> filters() {
        return List.of(Topics.ALL_DEVICE_STATUS, Topics.ALL_DEVICE_MEMORY);
    }

    void attach(MessageRouter router) {
        router.on(Topics.ALL_DEVICE_STATUS, (topic, message) -> {
            String id = Topics.deviceIdOf(topic);
            if (message.getPayload().length == 0) {
                statuses.remove(id);
                return;
            }
            try {
                statuses.put(id, DeviceStatus.parseFrom(message.getPayload()));
            } catch (InvalidProtocolBufferException e) {
                LOG.log(System.Logger.Level.WARNING, "device {0}: ignoring a status that is no DeviceStatus: {1}", id,
                        e.getMessage());
            }
        });
        router.on(Topics.ALL_DEVICE_MEMORY, (topic, message) -> {
            String id = Topics.deviceIdOf(topic);
            if (message.getPayload().length == 0) {
                memories.remove(id);
                return;
            }
            try {
                memories.put(id, MemoryReport.parseFrom(message.getPayload()));
            } catch (InvalidProtocolBufferException e) {
                LOG.log(System.Logger.Level.WARNING, "device {0}: ignoring a memory report that is no MemoryReport: {1}",
                        id, e.getMessage());
            }
        });
    }

    /** The latest status, or null if the device never reported one. */
    DeviceStatus status(String id) {
        return statuses.get(id);
    }

    /** The newer of the device's memory report and the one inside its status, or null. */
    MemoryReport memory(String id) {
        MemoryReport m = memories.get(id);
        DeviceStatus s = statuses.get(id);
        if (s != null && s.hasMemory() && (m == null || s.getMemory().getEpochMillis() > m.getEpochMillis())) {
            return s.getMemory();
        }
        return m;
    }

    boolean online(String id) {
        DeviceStatus s = statuses.get(id);
        return s != null && s.getOnline();
    }

    /** Every device that reported a status, with its group ("default" for agents that report none). */
    Map<String, String> groups() {
        Map<String, String> out = new TreeMap<>();
        statuses.forEach((id, s) -> out.put(id, s.getGroup().isEmpty() ? DEFAULT_GROUP : s.getGroup()));
        return out;
    }

    /** Devices that run {@code version} of {@code model} now. */
    List<String> running(String model, long version) {
        return statuses.entrySet().stream()
                .filter(e -> e.getValue().getActive().getModelId().equals(model)
                        && e.getValue().getActive().getVersion() == version)
                .map(Map.Entry::getKey).sorted().toList();
    }
}
