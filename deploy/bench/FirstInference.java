import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * The client side of deploy/bench/footprint.sh: asks a device for an inference every 5 ms (QoS 0, so requests
 * made while the agent is still starting are not queued for it) and prints the wall-clock time of the first
 * answer that carries outputs ("first <epoch millis>"); then times {@code steady} sequential requests
 * ("steady <p50 µs> <p90 µs>", round trips through the broker).
 *
 * <p>Run with the agent's libraries: {@code java -cp 'agent/target/lib/*' FirstInference.java URL DEVICE INPUTS STEADY}.
 */
public final class FirstInference {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String device = args[1];
        int inputs = Integer.parseInt(args[2]);
        int steady = Integer.parseInt(args[3]);
        String responses = "pipit/v1/devices/" + device + "/responses/bench";
        BlockingQueue<Answer> answers = new ArrayBlockingQueue<>(4096);
        MqttClient client = new MqttClient(url, "bench-" + ProcessHandle.current().pid(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage m) throws Exception {
                byte[] c = m.getProperties() == null ? null : m.getProperties().getCorrelationData();
                answers.offer(new Answer(c == null ? "" : new String(c, StandardCharsets.US_ASCII),
                        InferenceResponse.parseFrom(m.getPayload())));
            }

            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSocketFactory(new NoDelay()); // else Nagle and delayed ACKs add 40 ms to every round trip
        client.connect(o);
        client.subscribe(responses, 0);
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setBatch(1);
        for (int i = 0; i < inputs; i++) {
            r.addValues((i % 7) / 7f);
        }
        byte[] request = r.build().toByteArray();
        System.out.println("ready");
        System.out.flush();

        long first = 0;
        for (long n = 0; first == 0; n++) {
            client.publish("pipit/v1/devices/" + device + "/infer", message(request, responses, "probe-" + n));
            for (Answer a = answers.poll(5, TimeUnit.MILLISECONDS); a != null; a = answers.poll()) {
                if (a.response().getError().isEmpty() && a.response().getValuesCount() > 0) {
                    first = System.currentTimeMillis();
                    break;
                }
            }
        }
        System.out.println("first " + first);
        System.out.flush();

        long[] micros = new long[steady];
        for (int i = 0; i < steady; i++) {
            String id = "steady-" + i;
            long start = System.nanoTime();
            client.publish("pipit/v1/devices/" + device + "/infer", message(request, responses, id));
            Answer a;
            do { // answers to the probes sent while the agent was starting may still arrive: skip them
                a = answers.poll(10, TimeUnit.SECONDS);
            } while (a != null && !a.correlation().equals(id));
            if (a == null || !a.response().getError().isEmpty()) {
                System.err.println("no answer to " + id + ": " + (a == null ? "timeout" : a.response().getError()));
                System.exit(1);
            }
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        System.out.println("steady " + micros[steady / 2] + " " + micros[steady * 9 / 10]);
        client.disconnect();
        client.close();
        System.exit(0); // Paho's threads would keep the JVM up
    }

    /** A response and the correlation data it came with. */
    private record Answer(String correlation, InferenceResponse response) {
    }

    /** Plain sockets with TCP_NODELAY. */
    private static final class NoDelay extends javax.net.SocketFactory {

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            java.net.Socket s = new java.net.Socket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            throw new UnsupportedOperationException("Paho connects an unconnected socket");
        }

        @Override
        public java.net.Socket createSocket(String h, int p, java.net.InetAddress l, int lp) throws java.io.IOException {
            throw new UnsupportedOperationException("Paho connects an unconnected socket");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            throw new UnsupportedOperationException("Paho connects an unconnected socket");
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress h, int p, java.net.InetAddress l, int lp)
                throws java.io.IOException {
            throw new UnsupportedOperationException("Paho connects an unconnected socket");
        }
    }

    private static MqttMessage message(byte[] request, String responses, String id) {
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(responses);
        p.setCorrelationData(id.getBytes(StandardCharsets.US_ASCII));
        return new MqttMessage(request, 0, false, p);
    }
}
