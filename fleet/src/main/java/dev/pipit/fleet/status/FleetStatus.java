package dev.pipit.fleet.status;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The fleet as the broker remembers it: subscribes to every device's retained status and memory
 * report, collects for a settle time, and summarises one record per device. A message that does not
 * parse is logged and skipped: one broken device must not hide the others.
 */
public final class FleetStatus {

    private static final System.Logger LOG = System.getLogger(FleetStatus.class.getName());

    private final Map<String, DeviceStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, MemoryReport> memories = new ConcurrentHashMap<>();

    private FleetStatus() {
    }

    /** Every device that has a retained status or memory report, sorted by id. */
    public static List<DeviceSummary> collect(BrokerEndpoint broker, Duration settle) throws IOException {
        FleetStatus status = new FleetStatus();
        try (BrokerSession session = broker.connect("pipit-fleet-status", status.new Receiver())) {
            session.client().subscribe(new String[] {Topics.ALL_DEVICE_STATUS, Topics.ALL_DEVICE_MEMORY},
                    new int[] {1, 1}).waitForCompletion(10_000);
            Thread.sleep(settle.toMillis());
        } catch (MqttException e) {
            throw new IOException("cannot subscribe to device status on " + broker.url() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while collecting device status", e);
        }
        return status.summaries();
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
            return new DeviceSummary(id, null, null, null, null, null, null, null, memory, null);
        }
        boolean active = s.hasActive() && !s.getActive().getModelId().isEmpty();
        return new DeviceSummary(id, emptyToNull(s.getProfile()), s.getOnline(),
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

    private void received(String topic, byte[] payload) {
        String id = Topics.deviceIdOf(topic);
        if (id == null) {
            return;
        }
        boolean isStatus = topic.endsWith("/status"); // the subscriptions deliver only .../status and .../memory
        Map<String, ?> target = isStatus ? statuses : memories;
        if (payload.length == 0) {
            target.remove(id); // an empty retained message clears the device's entry
            return;
        }
        try {
            if (isStatus) {
                statuses.put(id, DeviceStatus.parseFrom(payload));
            } else {
                memories.put(id, MemoryReport.parseFrom(payload));
            }
        } catch (InvalidProtocolBufferException e) {
            LOG.log(System.Logger.Level.WARNING, "device {0}: ignoring {1}, not a {2}: {3}", id, topic,
                    isStatus ? "DeviceStatus" : "MemoryReport", e.getMessage());
        }
    }

    private final class Receiver implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received(topic, message.getPayload());
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
