package dev.pipit.agent.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's config file: flat YAML, one {@code key: value} per line, the keys named like the flags
 * without their dashes ({@code broker: tcp://host:1883}). Blank lines and {@code #} comments are
 * ignored; a value may be quoted with {@code "} or {@code '}. Nothing else of YAML is accepted, which
 * keeps the agent free of a YAML library.
 */
public final class ConfigFile {

    /** Every key a config file may hold. */
    public static final List<String> KEYS = List.of("broker", "id", "profile", "state-dir", "trust", "report-interval",
            "chunk-window", "stall-timeout", "username", "password-file", "max-manifest-bytes", "max-variants",
            "max-payload-bytes", "max-chunk-bytes", "group", "receive-maximum", "session-expiry", "offline-buffer",
            "probation", "crash-loop-restarts", "inference-threads", "local-socket", "tune-after-activation",
            "transport", "coap-uri", "allow-plain-coap", "coap-dtls", "coap-psk-identity", "coap-psk-file", "coap-key",
            "coap-trust", "coap-block-size", "coap-ack-timeout-ms", "tls-ca", "tls-cert", "tls-key", "models");
    private static final int MAX_BYTES = 64 << 10;

    private ConfigFile() {
    }

    public static Map<String, String> read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": a config file is at most " + MAX_BYTES + " bytes");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param source names the text in error messages
     * @throws IllegalArgumentException naming the line at fault
     */
    public static Map<String, String> parse(String text, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 1; n <= lines.length; n++) {
            String line = stripComment(lines[n - 1]).strip();
            if (line.isEmpty() || line.equals("---")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(source + " line " + n + ": expected 'key: value', got '" + line + "'");
            }
            String key = line.substring(0, colon).strip();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(source + " line " + n + ": unknown key '" + key + "'; the keys are "
                        + String.join(", ", KEYS));
            }
            String value = unquote(line.substring(colon + 1).strip(), source, n);
            if (values.put(key, value) != null) {
                throw new IllegalArgumentException(source + " line " + n + ": '" + key + "' is set twice");
            }
        }
        return values;
    }

    /** Drops a {@code #} comment: at the start of a line, or after a space outside quotes. */
    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String value, String source, int n) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
            if (value.charAt(value.length() - 1) != value.charAt(0)) {
                throw new IllegalArgumentException(source + " line " + n + ": unterminated quote in " + value);
            }
            return value.substring(1, value.length() - 1);
        }
        if (value.startsWith("\"") || value.startsWith("'")) {
            throw new IllegalArgumentException(source + " line " + n + ": unterminated quote in " + value);
        }
        return value;
    }
}
