package dev.pipit.fleet.mqtt;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;

/**
 * The client-wide Paho callback of a fleet session, handing each message to the handlers whose topic
 * filter matches. (Paho 1.2.5's per-subscription listeners recurse until the stack overflows, paho#863.)
 * Handlers run on Paho's callback thread: they must be quick and must not block on the client.
 */
public final class MessageRouter implements MqttCallback {

    private static final System.Logger LOG = System.getLogger(MessageRouter.class.getName());

    /** Receives the messages of one route. */
    @FunctionalInterface
    public interface Handler {
        void message(String topic, MqttMessage message);
    }

    /** Removes its route when closed. */
    public interface Route extends AutoCloseable {
        @Override
        void close();
    }

    private final CopyOnWriteArrayList<Map.Entry<String, Handler>> routes = new CopyOnWriteArrayList<>();
    private volatile String disconnectReason;

    /** Hands messages whose topic matches {@code filter} (MQTT wildcards) to {@code handler}. */
    public Route on(String filter, Handler handler) {
        Map.Entry<String, Handler> route = Map.entry(filter, handler);
        routes.add(route);
        return () -> routes.remove(route);
    }

    /** Why the broker or the network ended the session, or null while it is up. */
    public String disconnectReason() {
        return disconnectReason;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        for (Map.Entry<String, Handler> route : routes) {
            if (MqttTopicValidator.isMatched(route.getKey(), topic)) {
                try {
                    route.getValue().message(topic, message);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "handling a message on " + topic + " failed", e);
                }
            }
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnectReason = response.getReasonString() != null ? response.getReasonString()
                : response.getException() != null ? response.getException().getMessage()
                : "reason code " + response.getReturnCode();
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        LOG.log(System.Logger.Level.WARNING, "MQTT error: {0}", exception.getMessage());
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
