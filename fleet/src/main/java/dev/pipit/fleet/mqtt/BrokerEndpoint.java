package dev.pipit.fleet.mqtt;

import dev.pipit.protocol.trust.NoDelaySocketFactory;
import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Where and as whom the fleet side connects.
 *
 * @param url {@code tcp://host:port} or {@code ssl://host:port}; {@code mqtt://} and {@code mqtts://}
 *     are accepted as their aliases
 * @param username null for anonymous access
 * @param password null when there is none
 * @param tls the broker's CA and the fleet's client certificate for {@code ssl://} (mutual TLS), or null
 */
public record BrokerEndpoint(String url, String username, String password, TlsSettings tls) {

    private static final Map<String, String> SCHEMES = Map.of("tcp", "tcp", "mqtt", "tcp", "ssl", "ssl", "mqtts", "ssl");
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    public BrokerEndpoint {
        url = normalize(url);
    }

    public BrokerEndpoint(String url, String username, String password) {
        this(url, username, password, null);
    }

    public static BrokerEndpoint anonymous(String url) {
        return new BrokerEndpoint(url, null, null);
    }

    /**
     * Connects a fresh MQTT 5 session (clean start, no session kept, no automatic reconnect).
     *
     * @param role the client id prefix, e.g. {@code pipit-fleet-publish}
     * @param callback receives messages; null when the session only publishes
     * @throws IOException naming the broker and the reason when it cannot connect
     */
    public BrokerSession connect(String role, MqttCallback callback) throws IOException {
        SocketFactory sockets = NoDelaySocketFactory.forUrl(url, tls); // TLS files are read here: their errors first
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(url, role + "-" + UUID.randomUUID().toString().substring(0, 8),
                    new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("cannot create an MQTT client for " + url + ": " + e.getMessage(), e);
        }
        client.setCallback(callback);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        o.setKeepAliveInterval(30);
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        o.setSocketFactory(sockets);
        try {
            IMqttToken connected = client.connect(o);
            connected.waitForCompletion(CONNECT_TIMEOUT_SECONDS * 1000L + 1000);
            Integer receiveMaximum = connected.getResponseProperties() == null ? null
                    : connected.getResponseProperties().getReceiveMaximum();
            return new BrokerSession(client, receiveMaximum == null ? 65_535 : receiveMaximum);
        } catch (MqttException e) {
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // the connection failure is what matters
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot connect to MQTT broker " + url + ": " + e.getMessage()
                    + (cause != e ? " (" + cause.getMessage() + ")" : ""), e);
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return url + (username == null ? "" : " as " + username);
    }

    private static String normalize(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no MQTT broker URL given (e.g. tcp://127.0.0.1:1883)");
        }
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? null : SCHEMES.get(u.getScheme());
            if (scheme == null || u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException("'" + url + "' is not an MQTT broker URL like tcp://host:1883 "
                        + "(schemes: tcp, ssl, mqtt, mqtts; the port is required)");
            }
            return scheme + "://" + u.getRawAuthority();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getMessage(), e);
        }
    }
}
