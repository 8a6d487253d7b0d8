package dev.pipit.agent.testing;

import dev.pipit.protocol.trust.NoDelaySocketFactory;
import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho MQTT 5 client that reports what the broker answered (reason codes) instead of hiding refusals, over
 * plain TCP or mutual TLS (the fleet or a device, each with its own certificate, as an ACL test needs them),
 * with TCP_NODELAY.
 */
public final class MqttProbe implements AutoCloseable {

    /** A received message and its topic. */
    public record Received(String topic, MqttMessage message) {
    }

    private static final long WAIT_MILLIS = 10_000;

    private final MqttAsyncClient client;
    private final List<Received> received = new ArrayList<>();

    private MqttProbe(MqttAsyncClient client) {
        this.client = client;
    }

    /**
     * Connects with the certificate of {@code tls}.
     *
     * @throws MqttException if the broker refuses the TLS handshake or the login
     */
    public static MqttProbe connect(String url, TlsSettings tls) throws MqttException, IOException {
        return connect(url, tls.socketFactory());
    }

    /** Connects over plain TCP. */
    public static MqttProbe connect(String url) throws MqttException, IOException {
        return connect(url, NoDelaySocketFactory.plain());
    }

    private static MqttProbe connect(String url, SocketFactory sockets) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(url, "tls-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        MqttProbe t = new MqttProbe(c);
        c.setCallback(t.new Recorder());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setSocketFactory(sockets);
        try {
            c.connect(o).waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            c.close(true);
            throw e;
        }
        return t;
    }

    /** The broker's reason code for the subscription (0x00-0x02 granted, 0x87 not authorized). */
    public int subscribe(String filter) throws MqttException {
        IMqttToken t = client.subscribe(new MqttSubscription(filter, 1));
        t.waitForCompletion(WAIT_MILLIS);
        return t.getReasonCodes()[0];
    }

    /** Publishes at QoS 1: 0 if the broker accepted it, else its refusal's reason code (0x87: not authorized). */
    public int publish(String topic, byte[] payload, boolean retained) throws MqttException {
        return publish(topic, new MqttMessage(payload, 1, retained, new MqttProperties()));
    }

    /** An MQTT 5 request naming {@code responseTopic}: its response's payload. */
    public byte[] request(String topic, byte[] payload, String responseTopic, Duration timeout)
            throws MqttException, InterruptedException {
        byte[] correlation = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(responseTopic);
        p.setCorrelationData(correlation);
        int code = publish(topic, new MqttMessage(payload, 1, false, p));
        if (code != 0) {
            throw new AssertionError("request on " + topic + " refused with reason code 0x" + Integer.toHexString(code));
        }
        return await(r -> r.topic().equals(responseTopic) && r.message().getProperties() != null
                && Arrays.equals(r.message().getProperties().getCorrelationData(), correlation), timeout).message().getPayload();
    }

    private int publish(String topic, MqttMessage m) throws MqttException {
        try {
            IMqttToken t = client.publish(topic, m);
            t.waitForCompletion(WAIT_MILLIS);
            int[] codes = t.getReasonCodes();
            return codes == null || codes.length == 0 || codes[0] < 0x80 ? 0 : codes[0]; // 0x10: accepted, no subscriber
        } catch (MqttException e) {
            if (e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xA2) {
                return e.getReasonCode(); // the PUBACK's refusal, surfaced as an exception
            }
            throw e;
        }
    }

    /** Waits for a message (received before or after the call) that satisfies {@code condition}. */
    public Received await(Predicate<Received> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (Received r : received) {
                    if (condition.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message within " + timeout + "; received: "
                            + received.stream().map(Received::topic).toList());
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Every message received so far. */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(WAIT_MILLIS);
            }
        } finally {
            client.close(true);
        }
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
