package dev.pipit.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.fleet.status.FleetStatus;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.fleet.testing.MqttRecorder.Received;
import dev.pipit.fleet.testing.TestBundles;
import dev.pipit.fleet.testing.TestBundles.TestBundle;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACL shipped in deploy/mosquitto, verbatim, enforced by a real Mosquitto with the shipped
 * packet and in-flight limits, on the fleet's own traffic.
 */
class MosquittoAclTest {

    /** Maven runs the tests in the module folder. */
    private static final Path SHIPPED_ACL = Path.of("../deploy/mosquitto/pipit.acl").toAbsolutePath().normalize();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private MosquittoBroker mosquitto;
    private BrokerEndpoint fleet;
    private BrokerEndpoint deviceA;
    private BrokerEndpoint deviceB;

    @BeforeEach
    void startBroker() throws Exception {
        assertTrue(Files.isRegularFile(SHIPPED_ACL), SHIPPED_ACL + " is missing");
        Path passwords = dir.resolve("passwd");
        addUser(passwords, "pipit-fleet", "fleet-pw", true);
        addUser(passwords, "dev-a", "a-pw", false);
        addUser(passwords, "dev-b", "b-pw", false);
        mosquitto = MosquittoBroker.start(List.of(
                "per_listener_settings false",
                "allow_anonymous false",
                "password_file " + passwords,
                "acl_file " + SHIPPED_ACL,
                "max_packet_size 4194304",
                "max_inflight_messages 20"));
        fleet = new BrokerEndpoint(mosquitto.url(), "pipit-fleet", "fleet-pw");
        deviceA = new BrokerEndpoint(mosquitto.url(), "dev-a", "a-pw");
        deviceB = new BrokerEndpoint(mosquitto.url(), "dev-b", "b-pw");
    }

    @AfterEach
    void stopBroker() throws Exception {
        mosquitto.close();
    }

    @Test
    void acl_fleetUser_publishesBundleThatDevicesRead() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("b.pipit"), "acl-model", 1);
        new BundlePublisher(fleet, 8, new PrintWriter(new StringWriter())).publish(bundle.file());
        try (MqttRecorder device = MqttRecorder.subscribe(deviceA, "pipit/v1/models/acl-model/#")) {
            int[] seen = {0};
            List<Received> got = device.until(r -> ++seen[0] == bundle.chunkCount() + 1, TIMEOUT);
            assertTrue(got.stream().anyMatch(r -> r.topic().equals(Topics.manifest("acl-model"))));
        }
    }

    @Test
    void acl_deviceUser_cannotPublishModels() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("b.pipit"), "acl-model", 1);
        BundlePublisher asDevice = new BundlePublisher(deviceA, 8, new PrintWriter(new StringWriter()));
        IOException e = assertThrows(IOException.class, () -> asDevice.publish(bundle.file()));
        assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
    }

    @Test
    void acl_deviceUser_writesItsOwnStatusButNotAnothers() throws Exception {
        MqttRecorder.publishRetained(deviceA, Map.of(
                Topics.deviceStatus("dev-a"), status("dev-a"),
                Topics.deviceStatus("dev-b"), status("dev-b")));

        List<DeviceSummary> devices = FleetStatus.collect(fleet, Duration.ofMillis(300));

        assertEquals(List.of("dev-a"), devices.stream().map(DeviceSummary::id).toList());
    }

    @Test
    void acl_deviceUser_cannotReadAnothersStatus() throws Exception {
        MqttRecorder.publishRetained(deviceA, Map.of(Topics.deviceStatus("dev-a"), status("dev-a")));
        try (MqttRecorder b = MqttRecorder.subscribe(deviceB, "pipit/v1/devices/+/status")) {
            // Retained messages come right after the subscription, before anything published later.
            MqttRecorder.publishRetained(deviceB, Map.of(Topics.deviceStatus("dev-b"), status("dev-b")));
            List<Received> got = b.until(r -> r.topic().equals(Topics.deviceStatus("dev-b")), TIMEOUT);
            assertEquals(1, got.size(), "dev-b saw " + got.stream().map(Received::topic).toList());
        }
    }

    private static byte[] status(String id) {
        return DeviceStatus.newBuilder().setDeviceId(id).setOnline(true).build().toByteArray();
    }

    private static void addUser(Path passwords, String user, String password, boolean create) throws Exception {
        List<String> command = create
                ? List.of("mosquitto_passwd", "-c", "-b", passwords.toString(), user, password)
                : List.of("mosquitto_passwd", "-b", passwords.toString(), user, password);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
    }
}
