package dev.pipit.fleet.mqtt;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * A connected MQTT 5 client; closing disconnects it.
 *
 * @param serverReceiveMaximum how many QoS 1 publishes the broker accepts unacknowledged (its CONNACK
 *     Receive Maximum); Paho refuses to send more
 */
public record BrokerSession(MqttAsyncClient client, int serverReceiveMaximum) implements AutoCloseable {

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            // already gone: closing below is all that is left to do
        } finally {
            try {
                client.close(true);
            } catch (MqttException e) {
                // nothing else holds resources
            }
        }
    }
}
