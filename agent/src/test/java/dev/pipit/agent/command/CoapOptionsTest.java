package dev.pipit.agent.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.AgentConfig;
import dev.pipit.agent.transfer.coap.CoapSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CoapOptionsTest {

    @TempDir
    Path dir;

    private static AgentCommand parse(String... args) {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void config_transportCoapInTheConfigFile_buildsPskSettingsAndNamesTheServerAsEndpoint() throws Exception {
        Path conf = dir.resolve("agent.yaml");
        Files.writeString(conf, String.join("\n",
                "transport: coap",
                "coap-uri: coaps://fleet.local",
                "coap-dtls: psk",
                "coap-psk-file: psk.txt",
                "coap-block-size: 256",
                "coap-ack-timeout-ms: 500",
                "id: pi-9",
                "profile: rpi-zero-2w",
                "state-dir: state",
                "trust: fleet.pub"));
        Files.writeString(dir.resolve("psk.txt"), "s3cret\n");
        AgentCommand c = parse("--config", conf.toString());

        AgentConfig config = c.config();
        CoapSettings coap = c.coap.settings();
        assertEquals(URI.create("coaps://fleet.local:5684"), coap.uri());
        assertEquals("coaps://fleet.local:5684", config.brokerUrl());
        assertEquals(256, coap.blockSize());
        assertEquals(Duration.ofMillis(500), coap.ackTimeout());
        CoapSettings.Dtls.Psk psk = (CoapSettings.Dtls.Psk) coap.dtls();
        assertEquals("pi-9", psk.identity(), "the PSK identity defaults to the device id");
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), psk.secret());
    }

    @Test
    void config_plainCoapUri_needsAllowPlainCoap() throws Exception {
        String[] base = {"--transport", "coap", "--coap-uri", "coap://127.0.0.1:5683", "--id", "pi-1", "--profile",
                "rpi-4b-2gb", "--state-dir", "s", "--trust", "a.pub"};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(base).config());
        assertTrue(e.getMessage().contains("allow-plain-coap"), e.getMessage());

        String[] allowed = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--allow-plain-coap", "true")).toArray(String[]::new);
        AgentCommand c = parse(allowed);
        c.config();
        assertNull(c.coap.settings().dtls());
    }

    @Test
    void config_coapOptionsWithMqttOrBrokerWithCoap_refused() {
        IllegalArgumentException coapWithMqtt = assertThrows(IllegalArgumentException.class, () -> parse("--broker",
                "tcp://h:1883", "--coap-uri", "coaps://h", "--id", "pi-1", "--profile", "rpi-4b-2gb", "--state-dir", "s",
                "--trust", "a.pub").config());
        assertEquals("--coap-uri needs --transport coap", coapWithMqtt.getMessage());
        IllegalArgumentException brokerWithCoap = assertThrows(IllegalArgumentException.class, () -> parse("--transport",
                "coap", "--broker", "tcp://h:1883", "--coap-uri", "coaps://h", "--id", "pi-1", "--profile", "rpi-4b-2gb",
                "--state-dir", "s", "--trust", "a.pub").config());
        assertTrue(brokerWithCoap.getMessage().contains("--transport mqtt"), brokerWithCoap.getMessage());
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> parse("--transport", "coap",
                "--coap-uri", "coaps://h", "--coap-dtls", "x509", "--id", "pi-1", "--profile", "rpi-4b-2gb",
                "--state-dir", "s", "--trust", "a.pub").config());
        assertEquals("--coap-dtls x509 needs --coap-key", noKey.getMessage());
    }
}
