package dev.pipit.agent.command;

import dev.pipit.agent.transfer.coap.CoapSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the agent reaches its fleet: {@code transport: mqtt} (the default, {@code broker}) or {@code transport: coap}
 * ({@code coap-uri} and DTLS credentials). A picocli mixin of {@link AgentCommand}; every option is also a config
 * file key.
 */
public final class CoapOptions {

    /** The config file keys of these options. */
    public static final List<String> KEYS = List.of("transport", "coap-uri", "allow-plain-coap", "coap-dtls",
            "coap-psk-identity", "coap-psk-file", "coap-key", "coap-trust", "coap-block-size", "coap-ack-timeout-ms");
    /** Keys holding paths, relative to the config file. */
    public static final List<String> PATH_KEYS = List.of("coap-psk-file", "coap-key", "coap-trust");

    @Option(names = "--transport", paramLabel = "mqtt|coap", description = "how the fleet is reached (default mqtt)")
    String transport;

    @Option(names = "--coap-uri", paramLabel = "URI", description = "CoAP server, coaps://host:5684 (coap:// only "
            + "with --allow-plain-coap true)")
    String uri;

    @Option(names = "--allow-plain-coap", paramLabel = "true|false", description = "allow coap:// (no encryption, no "
            + "authentication): labs only (default false)")
    String allowPlain;

    @Option(names = "--coap-dtls", paramLabel = "psk|x509|rpk", description = "DTLS 1.2 credentials for coaps://")
    String dtls;

    @Option(names = "--coap-psk-identity", paramLabel = "ID", description = "PSK identity (default: the device id)")
    String pskIdentity;

    @Option(names = "--coap-psk-file", paramLabel = "FILE", description = "file holding the pre-shared key (its text)")
    String pskFile;

    @Option(names = "--coap-key", paramLabel = "PEM", description = "x509: private key and certificate chain; rpk: "
            + "private and public key")
    String key;

    @Option(names = "--coap-trust", paramLabel = "PEM", description = "x509: CA certificate(s) of the server; rpk: the "
            + "server's public key")
    String trust;

    @Option(names = "--coap-block-size", paramLabel = "BYTES", description = "block size asked for: 64 to 1024 "
            + "(default " + CoapSettings.DEFAULT_BLOCK_SIZE + ")")
    String blockSize;

    @Option(names = "--coap-ack-timeout-ms", paramLabel = "MS", description = "first retransmission of a confirmable "
            + "message (default 2000)")
    String ackTimeout;

    private CoapSettings settings;

    /** The CoAP settings {@link #resolve} found, or null for MQTT. */
    public CoapSettings settings() {
        return settings;
    }

    /**
     * Adds these flags to the values of the config file (flags win) and, for {@code transport: coap}, builds
     * the CoAP settings and puts the CoAP URI where the broker URL goes (the agent names its endpoint by it).
     *
     * @throws IllegalArgumentException with a one-line reason for anything missing, malformed or contradictory
     */
    void resolve(Map<String, String> v) throws IOException {
        put(v, "transport", transport);
        put(v, "coap-uri", uri);
        put(v, "allow-plain-coap", allowPlain);
        put(v, "coap-dtls", dtls);
        put(v, "coap-psk-identity", pskIdentity);
        put(v, "coap-psk-file", pskFile);
        put(v, "coap-key", key);
        put(v, "coap-trust", trust);
        put(v, "coap-block-size", blockSize);
        put(v, "coap-ack-timeout-ms", ackTimeout);
        String t = v.getOrDefault("transport", "mqtt").strip();
        if (t.equals("mqtt")) {
            for (String k : KEYS) {
                if (!k.equals("transport") && v.containsKey(k)) {
                    throw new IllegalArgumentException("--" + k + " needs --transport coap");
                }
            }
            settings = null;
            return;
        }
        if (!t.equals("coap")) {
            throw new IllegalArgumentException("--transport must be mqtt or coap, was '" + t + "'");
        }
        if (v.containsKey("broker") || v.containsKey("username") || v.containsKey("password-file")) {
            throw new IllegalArgumentException("--broker, --username and --password-file are for --transport mqtt;"
                    + " CoAP uses --coap-uri and DTLS credentials");
        }
        String u = v.get("coap-uri");
        if (u == null || u.isBlank()) {
            throw new IllegalArgumentException("--transport coap needs --coap-uri, e.g. coaps://fleet.local:5684");
        }
        try {
            settings = new CoapSettings(new URI(u.strip()), bool(v, "allow-plain-coap"), credentials(v),
                    (int) number(v, "coap-block-size", CoapSettings.DEFAULT_BLOCK_SIZE),
                    Duration.ofMillis(number(v, "coap-ack-timeout-ms", CoapSettings.DEFAULT_ACK_TIMEOUT.toMillis())));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--coap-uri is not a URI: " + u);
        }
        v.put("broker", settings.uri().toString());
    }

    private static CoapSettings.Dtls credentials(Map<String, String> v) throws IOException {
        String mode = v.get("coap-dtls");
        if (mode == null) {
            return null;
        }
        return switch (mode.strip()) {
            case "psk" -> new CoapSettings.Dtls.Psk(v.containsKey("coap-psk-identity") ? v.get("coap-psk-identity")
                    : need(v, "id", mode), secret(Path.of(need(v, "coap-psk-file", mode))));
            case "x509" -> new CoapSettings.Dtls.Certificates(Path.of(need(v, "coap-key", mode)),
                    Path.of(need(v, "coap-trust", mode)));
            case "rpk" -> new CoapSettings.Dtls.RawPublicKey(Path.of(need(v, "coap-key", mode)),
                    Path.of(need(v, "coap-trust", mode)));
            default -> throw new IllegalArgumentException("--coap-dtls must be psk, x509 or rpk, was '" + mode + "'");
        };
    }

    private static String need(Map<String, String> v, String key, String mode) {
        String value = v.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--coap-dtls " + mode + " needs --" + key);
        }
        return value;
    }

    private static byte[] secret(Path file) throws IOException {
        try {
            byte[] s = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            if (s.length == 0) {
                throw new IllegalArgumentException("PSK file " + file + " is empty");
            }
            return s;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("PSK file " + file + " does not exist");
        }
    }

    private static void put(Map<String, String> values, String key, String flag) {
        if (flag != null) {
            values.put(key, flag);
        }
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.getOrDefault(key, "false").strip();
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException("--" + key + " must be true or false, was '" + s + "'");
        }
        return s.equals("true");
    }

    private static long number(Map<String, String> v, String key, long otherwise) {
        String s = v.get(key);
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, was '" + s + "'");
        }
    }
}
