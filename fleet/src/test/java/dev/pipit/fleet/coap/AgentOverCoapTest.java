package dev.pipit.fleet.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.agent.transfer.coap.CoapSettings;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real agents fetching releases from the Pipit CoAP server: through a lossy UDP path, across a restart in
 * the middle of a download, and over DTLS with each kind of credentials.
 */
class AgentOverCoapTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration FAST_ACK = Duration.ofMillis(100);
    private static final DeviceProfile DEVICE = new DeviceProfile("coap-device", "test device", 512L << 20, 2, "x86_64",
            Set.of(), 16L << 20, 100, 0.5);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private KeyPair signing;
    private Path trusted;

    @BeforeEach
    void keys() throws Exception {
        signing = KeyFiles.generate();
        trusted = dir.resolve("fleet.pub");
        KeyFiles.writePublic(trusted, signing.getPublic());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    private CoapModelServer server(ServerSecurity security) throws Exception {
        return keep(CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0), security,
                CoapModelServer.Options.defaults().withAckTimeout(FAST_ACK).withMaxAge(Duration.ofSeconds(5))));
    }

    private Agent agent(String id, CoapSettings coap) throws Exception {
        AgentConfig config = AgentConfig.of(coap.uri().toString(), id, DEVICE, dir.resolve(id), List.of(trusted))
                .withStallTimeoutSeconds(20).withReportIntervalSeconds(60);
        return keep(Agent.start(config, coap));
    }

    private static CoapSettings plain(int port, int blockSize) {
        return CoapSettings.of(URI.create("coap://127.0.0.1:" + port), true, null).withBlockSize(blockSize)
                .withAckTimeout(FAST_ACK);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }

    private static BooleanSupplier serving(Agent agent, long version) {
        return () -> agent.active().map(ActiveModel::getVersion).orElse(0L) == version;
    }

    @Test
    void agent_throughAPathDropping15PercentEachWay_activatesEveryReleaseAndReports() throws Exception {
        CoapModelServer server = server(new ServerSecurity.Plain());
        server.publish(CoapReleases.write(dir.resolve("v1.pipit"), "lossy", 1, 64, 32, 1024, signing).file());
        UdpRelay relay = keep(new UdpRelay(server.port(), 0.15, 0.15, 7));

        Agent agent = agent("pi-lossy", plain(relay.port(), 256));
        await("v1 active", serving(agent, 1));
        assertEquals(CoapReleases.VARIANT, agent.active().orElseThrow().getVariant());

        // a newer release reaches the agent as an Observe notification, over the same lossy path
        server.publish(CoapReleases.write(dir.resolve("v2.pipit"), "lossy", 2, 64, 32, 1024, signing).file());
        await("v2 active", serving(agent, 2));
        await("a status naming v2", () -> server.reports().latest("pi-lossy").map(DeviceReports.Latest::status)
                .filter(s -> s.getActive().getVersion() == 2).isPresent());
        assertTrue(relay.dropped() > 10, "the path must really have lost datagrams: " + relay.dropped());
        DeviceStatus status = server.reports().latest("pi-lossy").orElseThrow().status();
        assertEquals(DEVICE.name(), status.getProfile());
        assertTrue(server.reports().latest("pi-lossy").orElseThrow().memory().getRssBytes() > 0);
    }

    @Test
    void agent_restartedMidDownload_fetchesOnlyTheChunksItLacks() throws Exception {
        CoapModelServer server = server(new ServerSecurity.Plain());
        CoapReleases.Written w = CoapReleases.write(dir.resolve("big.pipit"), "resume", 1, 256, 64, 4096, signing);
        server.publish(w.file());
        int payload = w.payload().length;

        UdpRelay first = keep(UdpRelay.counting(server.port()));
        first.cutAfter(payload / 2); // the link dies half-way through the download
        Agent before = agent("pi-resume", plain(first.port(), 1024));
        await("half the payload sent", () -> first.bytesToClient() > payload / 2);
        Thread.sleep(300);
        before.close();
        assertTrue(before.active().isEmpty(), "nothing activated from half a payload");

        UdpRelay second = keep(UdpRelay.counting(server.port()));
        Agent after = agent("pi-resume", plain(second.port(), 1024));
        await("v1 active after the restart", serving(after, 1));
        assertTrue(second.bytesToClient() < payload * 3 / 4, "the restarted agent fetched " + second.bytesToClient()
                + " bytes of a " + payload + "-byte payload whose first half it had verified");
    }

    @Test
    void agent_linkDownMidDownload_reconnectsAndResumesAtTheLastVerifiedChunk() throws Exception {
        CoapModelServer server = server(new ServerSecurity.Plain());
        CoapReleases.Written w = CoapReleases.write(dir.resolve("big.pipit"), "outage", 1, 256, 64, 4096, signing);
        server.publish(w.file());
        int payload = w.payload().length;
        UdpRelay relay = keep(UdpRelay.counting(server.port()));
        relay.cutAfter(payload / 2);

        Agent agent = agent("pi-outage", plain(relay.port(), 1024));
        await("the outage noticed", () -> relay.bytesToClient() > payload / 2 && !agent.isConnected());
        assertTrue(agent.active().isEmpty());
        relay.restore();
        await("v1 active after the outage", serving(agent, 1));
        assertTrue(relay.bytesToClient() < payload * 5 / 4, "sent " + relay.bytesToClient() + " bytes for a "
                + payload + "-byte payload: the download must resume, not start over");
    }

    @ParameterizedTest
    @ValueSource(strings = {"psk", "x509", "rpk"})
    void agent_overDtls_authenticatesBothWaysAndActivates(String mode) throws Exception {
        String id = "pi-" + mode;
        ServerSecurity security;
        CoapSettings.Dtls credentials;
        switch (mode) {
            case "psk" -> {
                byte[] secret = "a long random pre-shared secret".getBytes(StandardCharsets.UTF_8);
                security = new ServerSecurity.Psk(Map.of(id, secret));
                credentials = new CoapSettings.Dtls.Psk(id, secret);
            }
            case "x509" -> {
                TestCredentials.Pki pki = TestCredentials.pki(dir, id);
                security = ServerSecurity.x509(pki.server(), pki.ca());
                credentials = new CoapSettings.Dtls.Certificates(pki.device(), pki.ca());
            }
            default -> {
                var serverKeys = TestCredentials.ecKeyPair();
                var deviceKeys = TestCredentials.ecKeyPair();
                Path devices = Files.createDirectories(dir.resolve("devices"));
                TestCredentials.writePublicKey(devices.resolve(id + ".pub"), deviceKeys);
                security = ServerSecurity.rpk(TestCredentials.writeKeyPair(dir.resolve("server-rpk.pem"), serverKeys), devices);
                credentials = new CoapSettings.Dtls.RawPublicKey(
                        TestCredentials.writeKeyPair(dir.resolve("device-rpk.pem"), deviceKeys),
                        TestCredentials.writePublicKey(dir.resolve("server-rpk.pub"), serverKeys));
            }
        }
        CoapModelServer server = server(security);
        server.publish(CoapReleases.write(dir.resolve("m.pipit"), "secure", 1, 32, 16, 512, signing).file());
        assertTrue(server.uri().toString().startsWith("coaps://"), server.uri().toString());

        Agent agent = agent(id, CoapSettings.of(server.uri(), false, credentials).withAckTimeout(FAST_ACK));
        await("v1 active over DTLS " + mode, serving(agent, 1));
        await("a report bound to the authenticated device", () -> server.reports().latest(id).isPresent());
    }
}
