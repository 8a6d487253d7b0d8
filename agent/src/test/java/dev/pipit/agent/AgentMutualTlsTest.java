package dev.pipit.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.agent.testing.MqttProbe;
import dev.pipit.agent.testing.MqttProbe.Received;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.testing.TestPki;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Mosquitto with MQTT over mutual TLS (client certificates required, the certificate's common name
 * as user name) and the ACL shipped in deploy/mosquitto, verbatim; a certificate authority made at test time;
 * a real agent as device dev-a and a second device, dev-b, that tries what it must not.
 */
class AgentMutualTlsTest {

    private static final Path SHIPPED_ACL = Path.of("../deploy/mosquitto/pipit.acl").toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long a refused message is given to show up anyway. */
    private static final Duration GRACE = Duration.ofMillis(1500);
    private static final TinyMlp MLP = TinyMlp.random(7, 16, 8, 4);
    private static final String RESPONSES = Topics.deviceResponses("dev-a", "fleet-test");

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static MosquittoBroker broker;
    private static MqttProbe fleet;
    private static MqttProbe devB;
    private static Agent devA;
    private static KeyPair release;
    private static SignedBundle v1;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(SHIPPED_ACL), SHIPPED_ACL + " is missing");
        pki = TestPki.create(dir.resolve("pki"), "fleet");
        broker = MosquittoBroker.startMutualTls(pki, SHIPPED_ACL);
        fleet = MqttProbe.connect(broker.url(), pki.client("pipit-fleet"));
        fleet.subscribe(Topics.ROOT + "/devices/#");
        release = KeyFiles.generate();
        Path pub = dir.resolve("release.pub");
        KeyFiles.writePublic(pub, release.getPublic());
        DeviceProfile profile = new DeviceProfile("tls-device", "test device", 512L << 20, 2, "x86_64", Set.of(), 64L << 20,
                100, 0.5);
        devA = Agent.start(AgentConfig.of(broker.url(), "dev-a", profile, dir.resolve("dev-a"), List.of(pub))
                .withTls(pki.client("dev-a")).withChunkWindow(3));
        v1 = bundle(1);
        publish(fleet, v1);
        awaitStatus(s -> s.getOnline() && s.getActive().getVersion() == 1);
        devB = MqttProbe.connect(broker.url(), pki.client("dev-b"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (devA != null) {
            devA.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {devB, fleet, broker}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static SignedBundle bundle(long version) {
        return SignedBundle.builder("tiny", version).variant("fp32", MLP.fp32(), 0.9).golden(MLP.inputs(1, 4), 4)
                .chunkBytes(128).build(release);
    }

    /** Chunks, then the manifest; the reason code of each publication (0: accepted). */
    private static List<Integer> publish(MqttProbe as, SignedBundle b) throws MqttException {
        List<Integer> codes = new java.util.ArrayList<>();
        for (Variant v : b.manifest().getVariantsList()) {
            List<byte[]> chunks = b.chunks(v.getId());
            for (int i = 0; i < chunks.size(); i++) {
                codes.add(as.publish(b.chunkTopic(v.getId(), i), chunks.get(i), true));
            }
        }
        codes.add(as.publish(b.manifestTopic(), b.signed().toByteArray(), true));
        return codes;
    }

    private static DeviceStatus awaitStatus(java.util.function.Predicate<DeviceStatus> condition) throws InterruptedException {
        return status(fleet.await(r -> r.topic().equals(Topics.deviceStatus("dev-a")) && condition.test(status(r)), WAIT));
    }

    private static DeviceStatus status(Received r) {
        try {
            return DeviceStatus.parseFrom(r.message().getPayload());
        } catch (InvalidProtocolBufferException e) {
            return DeviceStatus.getDefaultInstance();
        }
    }

    /** Nothing that matches arrives at {@code client} after its first {@code since} messages, within a grace period. */
    private static void assertNothingArrives(MqttProbe client, int since, java.util.function.Predicate<Received> condition)
            throws InterruptedException {
        Thread.sleep(GRACE.toMillis());
        List<Received> later = client.received().subList(since, client.received().size());
        assertTrue(later.stream().noneMatch(condition), () -> "arrived: "
                + later.stream().filter(condition).map(Received::topic).toList());
    }

    @Test
    void agent_overMutualTls_activatesAnswersInferenceAndCommands() throws Exception {
        float[] x = MLP.inputs(3, 1);
        InferenceRequest.Builder req = InferenceRequest.newBuilder().setBatch(1);
        for (float f : x) {
            req.addValues(f);
        }
        fleet.subscribe(Topics.responsesFor("fleet-test"));
        InferenceResponse r = InferenceResponse.parseFrom(fleet.request(Topics.deviceInfer("dev-a"), req.build().toByteArray(),
                RESPONSES, WAIT));
        assertEquals("", r.getError());
        assertEquals(1, r.getVersion());
        float[] expected = dev.pipit.agent.testing.FleetSide.local(MLP.fp32(), x, 1);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.getValues(i), 1e-6f);
        }
        CommandResult c = CommandResult.parseFrom(fleet.request(Topics.deviceCommands("dev-a"),
                Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build().toByteArray(), RESPONSES, WAIT));
        assertEquals(CommandResult.Code.OK, c.getCode(), c.getReason());
    }

    @Test
    void acl_device_cannotForgeAnotherDevicesReports() throws Exception {
        DeviceStatus forged = DeviceStatus.newBuilder().setDeviceId("dev-a").setOnline(false).setAgentVersion("forged").build();
        Rejection fake = Rejection.newBuilder().setModelId("tiny").setReason("forged by dev-b").build();
        int since = fleet.received().size();
        assertEquals(0x87, devB.publish(Topics.deviceStatus("dev-a"), forged.toByteArray(), true));
        assertEquals(0x87, devB.publish(Topics.deviceEvents("dev-a"), fake.toByteArray(), false));
        assertNothingArrives(fleet, since, r -> r.topic().startsWith(Topics.ROOT + "/devices/dev-a/")
                && new String(r.message().getPayload(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("forged"));
        // while it reports as itself
        assertEquals(0, devB.publish(Topics.deviceStatus("dev-b"), DeviceStatus.newBuilder().setDeviceId("dev-b")
                .setOnline(true).build().toByteArray(), true));
        fleet.await(r -> r.topic().equals(Topics.deviceStatus("dev-b")), WAIT);
    }

    @Test
    void acl_device_cannotReadAnotherDevicesCommands() throws Exception {
        devB.subscribe(Topics.deviceCommands("dev-a"));
        devB.subscribe(Topics.ROOT + "/devices/+/commands");
        devB.subscribe(Topics.ROOT + "/devices/dev-a/#");
        fleet.subscribe(Topics.responsesFor("fleet-test"));
        CommandResult c = CommandResult.parseFrom(fleet.request(Topics.deviceCommands("dev-a"),
                Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build().toByteArray(), RESPONSES, WAIT));
        assertEquals(CommandResult.Code.OK, c.getCode()); // dev-a got it
        assertNothingArrives(devB, 0, r -> r.topic().startsWith(Topics.ROOT + "/devices/dev-a/"));
        // while dev-b reads its own commands
        devB.subscribe(Topics.deviceCommands("dev-b"));
        assertEquals(0, fleet.publish(Topics.deviceCommands("dev-b"), new byte[] {1}, false));
        devB.await(r -> r.topic().equals(Topics.deviceCommands("dev-b")), WAIT);
    }

    @Test
    void acl_device_cannotPublishAManifestEvenAValidlySignedOne() throws Exception {
        SignedBundle v2 = bundle(2);
        int since = fleet.received().size();
        List<Integer> codes = publish(devB, v2);
        assertTrue(codes.stream().allMatch(code -> code == 0x87), codes::toString);
        assertNothingArrives(fleet, since, r -> r.topic().equals(Topics.deviceEvents("dev-a")));
        assertEquals(1, devA.active().orElseThrow().getVersion());
        // The retained manifest is still the fleet's.
        try (MqttProbe reader = MqttProbe.connect(broker.url(), pki.client("dev-c"))) {
            reader.subscribe(Topics.manifest("tiny"));
            Received m = reader.await(r -> r.topic().equals(Topics.manifest("tiny")), WAIT);
            assertTrue(java.util.Arrays.equals(v1.signed().toByteArray(), m.message().getPayload()));
        }
    }

    @Test
    void tls_clientWithoutCertificateOrFromAnotherCa_refused() throws Exception {
        assertThrows(MqttException.class, () -> MqttProbe.connect(broker.url(), pki.anonymous()));
        TestPki impostor = TestPki.create(dir.resolve("impostor"), "impostor");
        var forged = impostor.client("pipit-fleet"); // right name, wrong CA
        assertThrows(MqttException.class, () -> MqttProbe.connect(broker.url(),
                new dev.pipit.protocol.trust.TlsSettings(pki.caFile(), forged.certFile(), forged.keyFile())));
        assertFalse(devA.active().isEmpty());
    }
}
