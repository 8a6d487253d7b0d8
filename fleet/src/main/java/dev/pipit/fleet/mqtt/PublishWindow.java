package dev.pipit.fleet.mqtt;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * QoS 1 publishes with at most {@code size} awaiting the broker's acknowledgement; the first failure
 * (including a PUBACK with a failure reason code, e.g. 0x87 not authorized) stops the rest. Paho
 * throws rather than queue beyond the broker's Receive Maximum (Mosquitto's default is 20), so every
 * publisher of a session must go through one window, or their windows must add up to less.
 */
public final class PublishWindow {

    private static final long ACK_TIMEOUT_SECONDS = 60;

    private final BrokerSession session;
    private final int size;
    private final Semaphore free;
    private final AtomicReference<String> failure = new AtomicReference<>();

    /** @param size capped by the broker's Receive Maximum: Paho refuses to exceed it */
    public PublishWindow(BrokerSession session, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("at least one message must be allowed in flight, was " + size);
        }
        this.session = session;
        this.size = Math.min(size, session.serverReceiveMaximum());
        this.free = new Semaphore(this.size);
    }

    /** Sends at QoS 1 once a slot is free; throws if an earlier publish failed. */
    public void send(String topic, byte[] payload, boolean retained) throws IOException {
        send(topic, new MqttMessage(payload, 1, retained, null));
    }

    /** Sends a message with MQTT 5 properties (response topic, correlation data, expiry) once a slot is free. */
    public void send(String topic, MqttMessage message) throws IOException {
        acquire(1);
        failIfFailed();
        try {
            session.client().publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        failure.compareAndSet(null, "the broker refused " + topic + " with reason code 0x"
                                + Integer.toHexString(codes[0]) + (codes[0] == 0x87 ? " (not authorized)" : ""));
                    }
                    free.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    failure.compareAndSet(null, "publishing " + topic + " failed: " + e.getMessage());
                    free.release();
                }
            });
        } catch (MqttException e) {
            free.release();
            throw new IOException("publishing " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits until the broker has acknowledged everything sent; throws if anything failed. */
    public void drain() throws IOException {
        acquire(size);
        free.release(size);
        failIfFailed();
    }

    private void acquire(int permits) throws IOException {
        try {
            if (!free.tryAcquire(permits, ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the broker acknowledged nothing for " + ACK_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing", e);
        }
    }

    private void failIfFailed() throws IOException {
        String f = failure.get();
        if (f != null) {
            throw new IOException(f);
        }
    }
}
