package dev.pipit.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.fleet.testing.TestBundles;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FleetCommandTest {

    @TempDir
    Path dir;

    @Test
    void publishThenStatus_againstMosquitto_printOneJsonDocumentWithTheAgreedKeys() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start()) {
            Path bundle = TestBundles.write(dir.resolve("m.pipit"), "fashion-mlp", 4).file();
            Run published = run("publish", "--broker", mosquitto.url(), "--bundle", bundle.toString());
            assertEquals(0, published.exitCode(), published.err());
            assertTrue(published.out().startsWith("published fashion-mlp v4"), published.out());

            MqttRecorder.publishRetained(mosquitto.url(), Map.of(
                    Topics.deviceStatus("pi-zero-1"), DeviceStatus.newBuilder().setDeviceId("pi-zero-1")
                            .setProfile("rpi-zero-2w").setOnline(true)
                            .setActive(ActiveModel.newBuilder().setModelId("fashion-mlp").setVersion(4)
                                    .setVariant("fp32-4k").setSelectionReason("fits"))
                            .build().toByteArray(),
                    Topics.deviceMemory("pi-zero-1"), MemoryReport.newBuilder().setEpochMillis(1)
                            .setRssBytes(61 << 20).setHeapUsedBytes(9 << 20).build().toByteArray()));
            Run status = run("status", "--broker", mosquitto.url(), "--json", "--wait-millis", "400");
            assertEquals(0, status.exitCode(), status.err());

            JsonNode devices = new ObjectMapper().readTree(status.out());
            assertTrue(devices.isArray(), "a bare array of devices: " + status.out());
            assertEquals(1, devices.size(), status.out());
            Run rollouts = run("status", "--broker", mosquitto.url(), "--json", "--rollouts", "--wait-millis", "400");
            JsonNode rolloutArray = new ObjectMapper().readTree(rollouts.out());
            assertTrue(rolloutArray.isArray() && rolloutArray.isEmpty(), rollouts.out());
            JsonNode d = devices.get(0);
            assertEquals("pi-zero-1", d.get("id").asText());
            assertEquals("rpi-zero-2w", d.get("profile").asText());
            assertEquals("fashion-mlp", d.get("model").asText());
            assertEquals(4, d.get("version").asLong());
            assertEquals("fp32-4k", d.get("variant").asText());
            assertEquals(61L << 20, d.get("memory").get("rssBytes").asLong());
            assertEquals(9L << 20, d.get("memory").get("heapUsedBytes").asLong());
            for (String key : List.of("peakRssBytes", "heapCommittedBytes", "weightBytes", "arenaBytes",
                    "predictedWeightBytes", "predictedPeakBytes")) {
                assertTrue(d.get("memory").has(key), key);
            }

            Run table = run("status", "--broker", mosquitto.url(), "--wait-millis", "400");
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith("pi-zero-1 ") && l.contains("61 MiB")), table.out());
        }
    }

    @Test
    void fleet_withoutSubcommand_failsNamingThem() {
        Run r = run();
        assertNotEquals(0, r.exitCode());
        String reason = r.err().lines().findFirst().orElse("");
        for (String subcommand : List.of("publish", "rollout", "rollback", "status")) {
            assertTrue(reason.startsWith("fleet needs a subcommand") && reason.contains(subcommand), r.err());
        }
    }

    @Test
    void publish_help_listsItsOptions() {
        Run r = run("publish", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--bundle") && r.out().contains("--broker") && r.out().contains("--max-in-flight"), r.out());
    }

    @Test
    void rollout_help_listsItsOptions() {
        Run r = run("rollout", "--help");
        assertEquals(0, r.exitCode());
        for (String option : List.of("--bundle", "--group", "--canary", "--step", "--max-failures", "--min-devices",
                "--wait-healthy", "--key", "--lease", "--json")) {
            assertTrue(r.out().contains(option), option + " in " + r.out());
        }
    }

    @Test
    void rollout_stepOutOfRange_failsNamingTheOption() throws Exception {
        Path bundle = TestBundles.write(dir.resolve("m.pipit"), "fashion-mlp", 4).file();
        Run r = run("rollout", "--broker", "tcp://127.0.0.1:1", "--bundle", bundle.toString(), "--step", "0");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("--step must be a percentage from 1 to 100, was 0"), r.err());
    }

    @Test
    void rollback_noRolloutRecorded_failsSayingSo() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start()) {
            Run r = run("rollback", "--broker", mosquitto.url(), "--model", "never-rolled-out");
            assertNotEquals(0, r.exitCode());
            assertTrue(r.err().contains("no rollout of never-rolled-out is retained"), r.err());
        }
    }

    @Test
    void status_badBrokerUrl_failsWithTheReason() {
        Run r = run("status", "--broker", "broker.lan:1883");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.err().contains("is not an MQTT broker URL"), r.err());
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new FleetCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
