package dev.pipit.agent.transfer;

import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The device's MQTT 5 session: a persistent session (clean start false, a session expiry), a retained
 * Will, QoS 1 subscriptions, a Receive Maximum that bounds the QoS 1 messages the broker sends ahead,
 * reconnection with exponential backoff and jitter, and an {@link Outbox} that keeps reports, in order,
 * while the broker cannot take them.
 *
 * <p>Reconnection is done here rather than by Paho's automatic reconnect: Paho keeps the reconnect delay
 * and lock in static fields shared by every client in the JVM (paho.mqtt.java#668), its reconnect timer
 * can die on an NPE (#883), it never retries a first connect that failed (#825), and it cannot refresh the
 * Will between connections, which the status sequence needs. Every attempt runs on the agent's scheduler
 * thread, never on a Paho callback thread (blocking there can deadlock, #999).
 */
public final class MqttConnection implements Transport {

    private static final System.Logger LOG = System.getLogger(MqttConnection.class.getName());
    private static final int KEEP_ALIVE_SECONDS = 30;
    private static final int MIN_BACKOFF_MILLIS = 1000;
    private static final int MAX_BACKOFF_MILLIS = 60_000;
    private static final long CLOSE_TIMEOUT_MILLIS = 3000;
    private static final String PROTO_PACKAGE = "dev.pipit.protocol.v1";

    /**
     * Session settings.
     *
     * @param receiveMaximum QoS 1 messages the broker may send before this client acknowledges them
     * @param sessionExpirySeconds how long the broker keeps the session (subscriptions, queued messages)
     *     after a disconnection
     * @param offlineBuffer reports kept while they cannot be published
     * @param maximumPacketBytes MQTT 5 Maximum Packet Size: the broker drops, rather than sends, anything larger
     *     (a chunk or manifest beyond the bundle limits never reaches the heap)
     */
    public record Options(int receiveMaximum, long sessionExpirySeconds, int offlineBuffer, long maximumPacketBytes) {

        public Options {
            if (receiveMaximum < 1 || receiveMaximum > 65535 || sessionExpirySeconds < 0 || offlineBuffer < 1
                    || maximumPacketBytes < 1024 || maximumPacketBytes > 268_435_455) {
                throw new IllegalArgumentException("receive maximum must be 1 to 65535, session expiry non-negative,"
                        + " the offline buffer positive and the maximum packet size 1 KiB to 256 MiB");
            }
        }
    }

    // Handler and Will are Transport's: the Will is published retained at QoS 1; messages arrive on Paho threads.

    private final String brokerUrl;
    private final MqttAsyncClient client;
    private final String username;
    private final byte[] password;
    private final Supplier<Will> will;
    private final ScheduledExecutorService scheduler;
    private final Handler handler;
    private final Options options;
    private final Outbox outbox;
    private volatile boolean closed;
    private volatile javax.net.SocketFactory socketFactory;
    private int backoffMillis = MIN_BACKOFF_MILLIS;

    /**
     * @param username null for anonymous
     * @param password null for none
     * @param will asked before every connection attempt
     * @param scheduler a single-threaded executor; every attempt, event handler and keep-alive ping runs on it
     */
    public MqttConnection(String brokerUrl, String clientId, String username, String password, Supplier<Will> will,
                          ScheduledExecutorService scheduler, Handler handler, Options options) throws MqttException {
        this.brokerUrl = brokerUrl;
        // Pings on the agent's scheduler rather than a Timer thread of Paho's own: one thread less.
        this.client = new MqttAsyncClient(brokerUrl, clientId, new MemoryPersistence(), new TimerPingSender(scheduler),
                null);
        this.options = options;
        this.outbox = new Outbox(options.offlineBuffer());
        this.username = username;
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        this.will = will;
        this.scheduler = scheduler;
        this.handler = handler;
        client.setCallback(new Callback());
    }

    /** Sockets for the URL's scheme, e.g. {@code NoDelaySocketFactory.forUrl} (TLS, TCP_NODELAY); null for Paho's default. */
    public MqttConnection withSocketFactory(javax.net.SocketFactory factory) {
        this.socketFactory = factory;
        return this;
    }

    /** Starts connecting; retries until connected or closed. */
    public void start() {
        scheduler.execute(this::attempt);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    public String brokerUrl() {
        return brokerUrl;
    }

    /**
     * Publishes a protobuf message, tagged with its type as MQTT 5 content type, after the reports still
     * waiting in the offline buffer. Called on the scheduler thread.
     *
     * @return true if handed to the client now, false if it waits in the offline buffer
     */
    public boolean publish(String topic, Message message, int qos, boolean retained) {
        Outbox.Entry e = new Outbox.Entry(topic, message.toByteArray(), contentType(message), qos, retained);
        if (outbox.add(e)) {
            LOG.log(System.Logger.Level.DEBUG, "offline buffer full: the oldest report was dropped ({0} so far)",
                    Long.toString(outbox.dropped()));
        }
        drain();
        return !outbox.contains(e);
    }

    /** Reports dropped from the full offline buffer since the start. */
    public long droppedReports() {
        return outbox.dropped();
    }

    /** Reports waiting in the offline buffer. */
    public int bufferedReports() {
        return outbox.size();
    }

    /** Hands waiting reports to the client, oldest first, until it is disconnected or its in-flight window is full. */
    public void drain() {
        for (Outbox.Entry e = outbox.peek(); e != null && client.isConnected(); e = outbox.peek()) {
            MqttProperties props = new MqttProperties();
            props.setContentType(e.contentType());
            try {
                client.publish(e.topic(), new MqttMessage(e.payload(), e.qos(), e.retained(), props));
                outbox.remove(e);
            } catch (MqttException ex) {
                int code = ex.getReasonCode();
                if (code == MqttClientException.REASON_CODE_MAX_INFLIGHT
                        || code == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED) {
                    return; // again on the next acknowledgement or connection
                }
                outbox.remove(e);
                LOG.log(System.Logger.Level.WARNING, "report on {0} dropped: {1}", e.topic(), describe(ex));
            } catch (RuntimeException ex) {
                outbox.remove(e);
                LOG.log(System.Logger.Level.WARNING, "report on {0} dropped: {1}", e.topic(), describe(ex));
            }
        }
    }

    /** Answers an MQTT 5 request on its response topic with its correlation data. */
    public boolean reply(String responseTopic, byte[] correlationData, Message message) {
        return send(responseTopic, message, 1, false, correlationData) != null;
    }

    /** Subscribes at QoS 1 (asynchronously; refusals by the broker are logged). */
    public void subscribe(List<String> filters) {
        if (filters.isEmpty() || !client.isConnected()) {
            return; // everything is subscribed again on the next connection
        }
        MqttSubscription[] subs = filters.stream().map(f -> new MqttSubscription(f, 1)).toArray(MqttSubscription[]::new);
        try {
            client.subscribe(subs, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    for (int i = 0; codes != null && i < codes.length && i < subs.length; i++) {
                        if (codes[i] >= 0x80) {
                            LOG.log(System.Logger.Level.WARNING, "broker refused subscription to {0} (reason code 0x{1})",
                                    subs[i].getTopic(), Integer.toHexString(codes[i]));
                        }
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    LOG.log(System.Logger.Level.WARNING, "subscribing to {0} failed: {1}", filters, describe(e));
                }
            }, new MqttProperties());
        } catch (MqttException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot subscribe to {0} now: {1}", filters, describe(e));
        }
    }

    public void unsubscribe(List<String> filters) {
        if (filters.isEmpty() || !client.isConnected()) {
            return;
        }
        try {
            client.unsubscribe(filters.toArray(String[]::new));
        } catch (MqttException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot unsubscribe from {0} now: {1}", filters, describe(e));
        }
    }

    /** Closes without a last word (the broker publishes the Will if the session was up). */
    @Override
    public void close() {
        close(null);
    }

    /**
     * Publishes {@code last} (e.g. the offline status) and waits for it, disconnects normally (so the broker
     * drops the Will, which {@code last} replaces), and releases the client.
     */
    public void close(Will last) {
        closed = true;
        try {
            if (client.isConnected()) {
                drain();
                if (last != null) {
                    IMqttToken t = send(last.topic(), last.message(), 1, true, null);
                    if (t != null) {
                        t.waitForCompletion(CLOSE_TIMEOUT_MILLIS);
                    }
                }
                client.disconnect(CLOSE_TIMEOUT_MILLIS).waitForCompletion(CLOSE_TIMEOUT_MILLIS);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "disconnect from {0} was not clean: {1}", brokerUrl, describe(e));
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the MQTT client failed: {0}", describe(e));
        }
    }

    private IMqttToken send(String topic, Message message, int qos, boolean retained, byte[] correlationData) {
        MqttProperties props = new MqttProperties();
        props.setContentType(contentType(message));
        if (correlationData != null) {
            props.setCorrelationData(correlationData);
        }
        try {
            return client.publish(topic, new MqttMessage(message.toByteArray(), qos, retained, props));
        } catch (MqttException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot publish on {0} now: {1}", topic, describe(e));
            return null;
        }
    }

    /**
     * The MQTT 5 content type naming a protobuf message's type, e.g. for events of several types. Pipit's own
     * messages are named from their class (java_multiple_files): asking for the descriptor would build every
     * descriptor of the .proto files, some 200 classes the device does not otherwise need.
     */
    public static String contentType(Message message) {
        Class<?> type = message.getClass();
        String name = type.getPackageName().equals(PROTO_PACKAGE) ? "pipit.v1." + type.getSimpleName()
                : message.getDescriptorForType().getFullName();
        return "application/x-protobuf; proto=" + name;
    }

    private void attempt() {
        if (closed || client.isConnected()) {
            return;
        }
        try {
            client.connect(options(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    boolean sessionPresent = token.getSessionPresent();
                    execute(() -> {
                        backoffMillis = MIN_BACKOFF_MILLIS;
                        handler.connected(sessionPresent);
                    });
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    execute(() -> retry(describe(e)));
                }
            });
        } catch (MqttException | RuntimeException e) {
            retry(describe(e));
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(options.sessionExpirySeconds());
        o.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        o.setReceiveMaximum(options.receiveMaximum());
        o.setMaximumPacketSize(options.maximumPacketBytes());
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.clone());
        }
        if (socketFactory != null) {
            o.setSocketFactory(socketFactory);
        }
        Will w = will.get();
        MqttProperties props = new MqttProperties();
        props.setContentType(contentType(w.message()));
        o.setWill(w.topic(), new MqttMessage(w.message().toByteArray(), 1, true, null));
        o.setWillMessageProperties(props);
        return o;
    }

    private void retry(String reason) {
        if (closed) {
            return;
        }
        long delay = backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 5 + 1);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        LOG.log(System.Logger.Level.WARNING, "cannot connect to {0} ({1}); retrying in {2} s", brokerUrl, reason,
                Long.toString(Math.round(delay / 1000.0)));
        try {
            scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void execute(Runnable r) {
        try {
            scheduler.execute(r);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    static String describe(Throwable e) {
        if (e == null) {
            return "unknown reason";
        }
        Throwable cause = e.getCause();
        String msg = e.getMessage();
        if (cause != null && cause.getMessage() != null && (msg == null || !msg.contains(cause.getMessage()))) {
            msg = (msg == null ? "" : msg + ": ") + cause.getMessage();
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }

    private final class Callback implements MqttCallback {

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (closed) {
                return;
            }
            String reason = response.getReasonString() != null ? response.getReasonString()
                    : response.getException() != null ? describe(response.getException())
                    : "reason code " + response.getReturnCode();
            execute(() -> {
                handler.connectionLost(reason);
                retry(reason);
            });
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
            LOG.log(System.Logger.Level.WARNING, "MQTT error: {0}", describe(e));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                handler.message(topic, message);
            } catch (RuntimeException e) {
                // an exception here would make Paho drop the connection
                LOG.log(System.Logger.Level.ERROR, "handling a message on " + topic + " failed", e);
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            if (outbox.size() > 0) {
                execute(MqttConnection.this::drain); // a slot in the broker's in-flight window is free again
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
