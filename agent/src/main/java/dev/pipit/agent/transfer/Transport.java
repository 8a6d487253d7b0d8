package dev.pipit.agent.transfer;

import com.google.protobuf.Message;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * How the agent reaches its fleet, addressed by the v1 topic names of {@code Topics}: {@link MqttConnection}
 * carries them as they are, {@code transfer.coap.CoapTransport} maps each onto a CoAP resource (see
 * protocol/README.md). Everything behind it is one pipeline for both: manifest verification, variant
 * selection, the chunk-by-chunk download ({@link Downloader}, {@link ChunkDownload}), activation and reports.
 */
public interface Transport extends AutoCloseable {

    /** Receives the transport's events. */
    interface Handler {
        /** The fleet is reachable (called on the scheduler thread): subscribe and publish the birth here. */
        void connected(boolean sessionPresent);

        /** A message arrived (called on a transport thread): hand it off, never block or throw. */
        void message(String topic, MqttMessage message);

        /** The fleet became unreachable (called on the scheduler thread); reconnection is already scheduled. */
        void connectionLost(String reason);
    }

    /** The last word of a device: its offline status, published retained (MQTT also sets it as its Will). */
    record Will(String topic, Message message) {
    }

    /** Starts connecting; retries until connected or closed. */
    void start();

    boolean isConnected();

    /** Publishes a report or event; false if it was not sent now. */
    boolean publish(String topic, Message message, int qos, boolean retained);

    /** Reports waiting to be sent (MQTT keeps them, in order, while the broker is unreachable). */
    int bufferedReports();

    /** Reports dropped since the start for lack of a connection or of buffer room. */
    long droppedReports();

    /** Answers a request on its response topic; false where the transport has no request/response. */
    boolean reply(String responseTopic, byte[] correlationData, Message message);

    /** Asks for the messages of these topic filters (manifests, chunks, requests); again after each connection. */
    void subscribe(List<String> filters);

    void unsubscribe(List<String> filters);

    /** Closes without a last word. */
    @Override
    void close();

    /** Sends {@code last} (the offline status) if connected, then closes. */
    void close(Will last);
}
