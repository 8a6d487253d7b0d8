package dev.pipit.fleet.bench;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Mosquitto's own traffic counters, from its {@code $SYS} topics (published every {@code sys_interval}
 * seconds): bytes and messages the broker received and sent since it started.
 */
final class BrokerCounters implements AutoCloseable {

    static final String BYTES_SENT = "$SYS/broker/bytes/sent";
    static final String BYTES_RECEIVED = "$SYS/broker/bytes/received";
    static final String MESSAGES_SENT = "$SYS/broker/messages/sent";
    static final String MESSAGES_RECEIVED = "$SYS/broker/messages/received";

    private final Map<String, Long> latest = new ConcurrentHashMap<>();
    private final BrokerSession session;

    BrokerCounters(BrokerEndpoint broker) throws IOException {
        MessageRouter router = new MessageRouter();
        router.on("$SYS/broker/#", (topic, message) -> {
            try {
                latest.put(topic, Long.parseLong(new String(message.getPayload(), StandardCharsets.US_ASCII).trim()));
            } catch (NumberFormatException e) {
                // not a counter (version string, uptime text)
            }
        });
        session = broker.connect("pipit-bench-sys", router);
        try {
            session.client().subscribe(new String[] {"$SYS/broker/bytes/#", "$SYS/broker/messages/#"}, new int[] {0, 0})
                    .waitForCompletion(10_000);
        } catch (MqttException e) {
            session.close();
            throw new IOException("cannot subscribe to $SYS: " + e.getMessage(), e);
        }
    }

    /** The counters as last published; wait a sys_interval after an event to see it counted. */
    Map<String, Long> snapshot() {
        return Map.copyOf(latest);
    }

    @Override
    public void close() {
        session.close();
    }
}
