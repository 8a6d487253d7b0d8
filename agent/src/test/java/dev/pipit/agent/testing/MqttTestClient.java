package dev.pipit.agent.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The fleet's side of a test: a plain Paho MQTT 5 client (no automatic reconnect, so it shares no
 * static reconnect state with agents in the same JVM) that publishes, records what it receives and
 * sends MQTT 5 requests.
 */
public final class MqttTestClient implements AutoCloseable {

    /** A received message and its topic. */
    public record Received(String topic, MqttMessage message) {
    }

    private final MqttClient client;
    private final String responseTopic;
    private final List<Received> received = new ArrayList<>();

    private MqttTestClient(MqttClient client) {
        this.client = client;
        this.responseTopic = "test/" + client.getClientId() + "/responses";
    }

    public static MqttTestClient connect(String url) throws MqttException {
        MqttClient c = new MqttClient(url, "test-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        MqttTestClient t = new MqttTestClient(c);
        c.setCallback(t.new Recorder());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o);
        c.subscribe(t.responseTopic, 1);
        return t;
    }

    public void subscribe(String filter) throws MqttException {
        client.subscribe(filter, 1);
    }

    /**
     * Publishes at QoS 1 and waits for the acknowledgement. Paho counts a message in flight a moment after its
     * token completes, so a quick next publish can be refused as "too many in progress": that one is retried.
     */
    public void publish(String topic, byte[] payload, boolean retained) {
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, payload, 1, retained);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt == 100) {
                    throw new IllegalStateException("publishing on " + topic + " failed", e);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", ie);
                }
            }
        }
    }

    /** Waits for a message on {@code topic} that satisfies {@code condition}, received before or after the call. */
    public MqttMessage await(String topic, Predicate<MqttMessage> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            int seen = 0;
            while (true) {
                for (; seen < received.size(); seen++) {
                    Received r = received.get(seen);
                    if (r.topic().equals(topic) && condition.test(r.message())) {
                        return r.message();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message on " + topic + " within " + timeout + "; received on it: "
                            + received.stream().filter(x -> x.topic().equals(topic)).count());
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Messages received so far on a topic. */
    public List<MqttMessage> messages(String topic) {
        synchronized (received) {
            return received.stream().filter(r -> r.topic().equals(topic)).map(Received::message).toList();
        }
    }

    /** Sends an MQTT 5 request and waits for the response carrying its correlation data. */
    public byte[] request(String topic, byte[] payload, Duration timeout) throws MqttException, InterruptedException {
        byte[] correlation = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        MqttProperties props = new MqttProperties();
        props.setResponseTopic(responseTopic);
        props.setCorrelationData(correlation);
        MqttMessage m = new MqttMessage(payload, 1, false, props);
        client.publish(topic, m);
        return await(responseTopic, r -> r.getProperties() != null
                && Arrays.equals(r.getProperties().getCorrelationData(), correlation), timeout).getPayload();
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }

    private final class Recorder implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            synchronized (received) {
                received.add(new Received(topic, message));
                received.notifyAll();
            }
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
