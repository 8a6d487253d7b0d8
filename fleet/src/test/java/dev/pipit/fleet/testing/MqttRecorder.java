package dev.pipit.fleet.testing;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A real Paho MQTT 5 client that records every message it receives, in arrival order. Uses the
 * client-wide callback: Paho 1.2.5's subscribe-with-listener overloads recurse forever (paho#863).
 */
public final class MqttRecorder implements AutoCloseable {

    public record Received(String topic, byte[] payload, boolean retained) {
    }

    private final MqttClient client;
    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    private MqttRecorder(MqttClient client) {
        this.client = client;
    }

    /** Connects anonymously and subscribes at QoS 1; returns once the broker acknowledged the subscription. */
    public static MqttRecorder subscribe(String url, String topicFilter) throws MqttException {
        return subscribe(BrokerEndpoint.anonymous(url), topicFilter);
    }

    public static MqttRecorder subscribe(BrokerEndpoint broker, String topicFilter) throws MqttException {
        MqttRecorder r = new MqttRecorder(connect(broker));
        r.client.setCallback(r.new Recording());
        r.client.subscribe(topicFilter, 1);
        return r;
    }

    /** Publishes one retained QoS 1 message and waits for the broker's acknowledgement. */
    public static void publishRetained(String url, String topic, byte[] payload) throws MqttException {
        publishRetained(BrokerEndpoint.anonymous(url), Map.of(topic, payload));
    }

    public static void publishRetained(String url, Map<String, byte[]> messages) throws MqttException {
        publishRetained(BrokerEndpoint.anonymous(url), messages);
    }

    /**
     * Publishes retained QoS 1 messages in the map's order over one connection (Paho takes about
     * 0.4 s to connect and disconnect: it polls with 100 ms sleeps, paho#945).
     */
    public static void publishRetained(BrokerEndpoint broker, Map<String, byte[]> messages) throws MqttException {
        MqttClient c = connect(broker);
        try {
            for (Map.Entry<String, byte[]> m : messages.entrySet()) {
                c.publish(m.getKey(), m.getValue(), 1, true);
            }
        } finally {
            c.disconnect();
            c.close();
        }
    }

    /** Everything received until {@code done} accepts a message (included), or fails after the timeout. */
    public List<Received> until(Predicate<Received> done, Duration timeout) throws InterruptedException {
        List<Received> all = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received r = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("timed out after " + all.size() + " messages: "
                        + all.stream().map(Received::topic).toList());
            }
            all.add(r);
            if (done.test(r)) {
                return all;
            }
        }
    }

    @Override
    public void close() throws MqttException {
        client.disconnect();
        client.close();
    }

    private static MqttClient connect(BrokerEndpoint broker) throws MqttException {
        MqttClient c = new MqttClient(broker.url(), "test-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        if (broker.username() != null) {
            o.setUserName(broker.username());
            o.setPassword(broker.password().getBytes(StandardCharsets.UTF_8));
        }
        c.connect(o);
        return c;
    }

    private final class Recording implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            queue.add(new Received(topic, message.getPayload(), message.isRetained()));
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
