package dev.pipit.cli.demo;

import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Asks devices for inferences over MQTT 5 request/response: each request names this client's response
 * topic and carries correlation data that the device echoes back.
 */
public final class InferenceClient implements AutoCloseable {

    private final MqttAsyncClient client;
    private final String clientId;
    private final Map<Long, CompletableFuture<InferenceResponse>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();

    private InferenceClient(MqttAsyncClient client, String clientId) {
        this.client = client;
        this.clientId = clientId;
    }

    public static InferenceClient connect(String brokerUrl) throws MqttException {
        String id = "pipit-infer-" + UUID.randomUUID().toString().substring(0, 8);
        MqttAsyncClient client = new MqttAsyncClient(brokerUrl, id, new MemoryPersistence());
        InferenceClient c = new InferenceClient(client, id);
        client.setCallback(c.new Responses());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        client.subscribe(Topics.responsesFor(id), 1).waitForCompletion(10_000);
        return c;
    }

    /** Sends {@code batch} samples to a device and waits for its answer. */
    public InferenceResponse infer(String deviceId, float[] values, int batch, Duration timeout)
            throws MqttException, TimeoutException, InterruptedException {
        long id = nextId.incrementAndGet();
        CompletableFuture<InferenceResponse> answer = new CompletableFuture<>();
        pending.put(id, answer);
        InferenceRequest.Builder request = InferenceRequest.newBuilder().setBatch(batch);
        for (float v : values) {
            request.addValues(v);
        }
        MqttMessage message = new MqttMessage(request.build().toByteArray());
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setResponseTopic(Topics.deviceResponses(deviceId, clientId));
        properties.setCorrelationData(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
        message.setProperties(properties);
        try {
            client.publish(Topics.deviceInfer(deviceId), message);
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("inference response could not be read: " + e.getCause().getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(5_000);
        }
        client.close();
    }

    private final class Responses implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            byte[] correlation = message.getProperties() == null ? null : message.getProperties().getCorrelationData();
            if (correlation == null || correlation.length != Long.BYTES) {
                return; // not an answer to us: ignore
            }
            CompletableFuture<InferenceResponse> answer = pending.get(ByteBuffer.wrap(correlation).getLong());
            if (answer == null) {
                return; // late answer after a timeout
            }
            try {
                answer.complete(InferenceResponse.parseFrom(message.getPayload()));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                answer.completeExceptionally(e);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            pending.values().forEach(f -> f.completeExceptionally(
                    new IllegalStateException("broker connection lost: " + response.getReasonString())));
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
