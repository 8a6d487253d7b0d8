package dev.pipit.fleet.rollout;

import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.PublishWindow;
import java.io.IOException;
import dev.pipit.protocol.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * MQTT 5 request/response with devices: a request goes to a device topic ({@code .../infer},
 * {@code .../commands}) naming a response topic inside that device's subtree and carrying correlation
 * data; the answer is matched to its request by that correlation data.
 */
final class DeviceRequests {

    private final PublishWindow window;
    private final String clientId;
    private final Map<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();

    /** @param window the session's publish window, shared with everything else its owner publishes */
    DeviceRequests(BrokerSession session, PublishWindow window) {
        this.window = window;
        this.clientId = session.client().getClientId();
    }

    /** The filter to subscribe to once {@link #attach} has routed it. */
    String filter() {
        return Topics.responsesFor(clientId);
    }

    void attach(MessageRouter router) {
        router.on(filter(), (topic, message) -> {
            MqttProperties p = message.getProperties();
            byte[] correlation = p == null ? null : p.getCorrelationData();
            if (correlation != null) {
                CompletableFuture<byte[]> f = pending.remove(new String(correlation, StandardCharsets.UTF_8));
                if (f != null) {
                    f.complete(message.getPayload());
                }
            }
        });
    }

    /**
     * Sends a request at QoS 1; the future completes with the answer's payload (cancel it to stop waiting).
     *
     * @param expirySeconds the broker drops the request if it cannot deliver it within this (MQTT 5 Message
     *     Expiry): a device that reconnects later must not act on a request its sender gave up on
     */
    CompletableFuture<byte[]> send(String requestTopic, String deviceId, byte[] request, long expirySeconds) {
        String correlation = UUID.randomUUID().toString();
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        pending.put(correlation, answer);
        answer.whenComplete((r, e) -> pending.remove(correlation)); // also when the caller gives up and cancels
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(Topics.deviceResponses(deviceId, clientId));
        p.setCorrelationData(correlation.getBytes(StandardCharsets.UTF_8));
        p.setMessageExpiryInterval(expirySeconds);
        try {
            window.send(requestTopic, new MqttMessage(request, 1, false, p));
        } catch (IOException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }
}
