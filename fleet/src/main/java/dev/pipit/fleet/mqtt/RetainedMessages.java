package dev.pipit.fleet.mqtt;

import dev.pipit.protocol.topic.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Subscriptions whose retained messages are known to have arrived, found without guessing a settle
 * time: after subscribing, the client publishes a marker to itself, and a broker sends a subscription's
 * retained messages before anything published after it (Mosquitto within the SUBSCRIBE; a short grace
 * covers brokers that send them asynchronously).
 */
public final class RetainedMessages {

    /** Retained messages that a broker sends asynchronously still arrive within this after the marker. */
    private static final long GRACE_MILLIS = 50;

    private RetainedMessages() {
    }

    /**
     * Subscribes at QoS 1 and returns once the retained messages of {@code filters} have been handed to
     * the router's handlers, which the caller set up before.
     *
     * @throws IOException if the broker refuses a subscription or the marker does not return in time
     */
    public static void subscribe(BrokerSession session, MessageRouter router, List<String> filters, Duration timeout)
            throws IOException {
        String sync = Topics.fleetSync(session.client().getClientId());
        CountDownLatch marker = new CountDownLatch(1);
        List<String> all = new ArrayList<>(filters);
        all.add(sync);
        String[] topics = all.toArray(String[]::new);
        int[] qos = new int[topics.length];
        Arrays.fill(qos, 1);
        try (MessageRouter.Route route = router.on(sync, (topic, message) -> marker.countDown())) {
            IMqttToken subscribed = session.client().subscribe(topics, qos);
            subscribed.waitForCompletion(timeout.toMillis());
            int[] codes = subscribed.getReasonCodes();
            for (int i = 0; codes != null && i < codes.length; i++) {
                if (codes[i] >= 0x80) {
                    throw new IOException("the broker refused the subscription to " + topics[i] + " (reason code 0x"
                            + Integer.toHexString(codes[i]) + ")");
                }
            }
            PublishWindow marking = new PublishWindow(session, 1);
            marking.send(sync, new byte[0], false);
            marking.drain(); // a refused marker (no right to the topic) would never come back
            if (!marker.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the broker did not echo a marker within " + timeout.toMillis() + " ms after "
                        + "subscribing to " + filters);
            }
            Thread.sleep(GRACE_MILLIS);
            session.client().unsubscribe(sync);
        } catch (MqttException e) {
            throw new IOException("cannot subscribe to " + filters + " on " + session.client().getServerURI() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while subscribing to " + filters, e);
        }
    }

    /**
     * The retained messages under {@code filters}, by topic in arrival order. The filters are unsubscribed
     * afterwards, so they must not be ones the session is subscribed to for other purposes.
     */
    public static Map<String, byte[]> read(BrokerSession session, MessageRouter router, List<String> filters,
                                           Duration timeout) throws IOException {
        Map<String, byte[]> retained = new LinkedHashMap<>();
        List<MessageRouter.Route> routes = new ArrayList<>();
        try {
            for (String filter : filters) {
                routes.add(router.on(filter, (topic, message) -> {
                    if (message.isRetained()) {
                        synchronized (retained) {
                            retained.put(topic, message.getPayload());
                        }
                    }
                }));
            }
            subscribe(session, router, filters, timeout);
            session.client().unsubscribe(filters.toArray(String[]::new)).waitForCompletion(timeout.toMillis());
        } catch (MqttException e) {
            throw new IOException("cannot unsubscribe from " + filters + ": " + e.getMessage(), e);
        } finally {
            routes.forEach(MessageRouter.Route::close);
        }
        synchronized (retained) {
            return new LinkedHashMap<>(retained);
        }
    }
}
