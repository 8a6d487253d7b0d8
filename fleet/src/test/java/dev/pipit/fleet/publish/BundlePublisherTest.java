package dev.pipit.fleet.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.fleet.testing.MqttRecorder.Received;
import dev.pipit.fleet.testing.TestBundles;
import dev.pipit.fleet.testing.TestBundles.TestBundle;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Variant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundlePublisherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path brokerDir;
    private static MosquittoBroker mosquitto;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        mosquitto = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        mosquitto.close();
    }

    @Test
    void publish_validBundle_subscriberGetsEveryChunkThenTheManifest() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("live.pipit"), "live-model", 3);
        StringWriter progress = new StringWriter();
        try (MqttRecorder subscriber = MqttRecorder.subscribe(mosquitto.url(), "pipit/v1/models/live-model/#")) {
            BundlePublisher.Result result = new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 2,
                    new PrintWriter(progress, true)).publish(bundle.file());

            List<Received> got = subscriber.until(r -> r.topic().endsWith("/manifest"), TIMEOUT);
            assertEquals(bundle.chunkCount() + 1, got.size(), "every chunk once, then the manifest");
            assertEquals(Topics.manifest("live-model"), got.get(got.size() - 1).topic());
            assertArrayEquals(bundle.signedManifest(), got.get(got.size() - 1).payload());
            assertPayloadsReassemble(bundle, got.subList(0, got.size() - 1));
            assertEquals(new BundlePublisher.Result("live-model", 3, 2, bundle.chunkCount(),
                    bundle.payloads().values().stream().mapToLong(p -> p.length).sum(), result.millis()), result);
        }
        assertTrue(progress.toString().contains("manifest published last"), progress.toString());
    }

    @Test
    void publish_validBundle_retainsEverythingForALaterSubscriber() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("retained.pipit"), "retained-model", 5);
        new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), BundlePublisher.DEFAULT_MAX_IN_FLIGHT,
                new PrintWriter(new StringWriter())).publish(bundle.file());

        try (MqttRecorder late = MqttRecorder.subscribe(mosquitto.url(), "pipit/v1/models/retained-model/#")) {
            int[] seen = {0};
            List<Received> got = late.until(r -> ++seen[0] == bundle.chunkCount() + 1, TIMEOUT);
            assertTrue(got.stream().allMatch(Received::retained));
            Received manifest = got.stream().filter(r -> r.topic().equals(Topics.manifest("retained-model"))).findFirst()
                    .orElseThrow();
            assertArrayEquals(bundle.signedManifest(), manifest.payload());
            assertPayloadsReassemble(bundle, got.stream().filter(r -> r != manifest).toList());
        }
    }

    @Test
    void publish_versionNotNewerThanRetained_refusesAndKeepsTheRetainedRelease() throws Exception {
        BundlePublisher publisher = new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 4,
                new PrintWriter(new StringWriter()));
        TestBundle v5 = TestBundles.write(dir.resolve("v5.pipit"), "versioned-model", 5);
        publisher.publish(v5.file());

        for (long version : new long[] {4, 5}) {
            TestBundle older = TestBundles.write(dir.resolve("v" + version + "-again.pipit"), "versioned-model", version);
            BundleException e = assertThrows(BundleException.class, () -> publisher.publish(older.file()));
            assertTrue(e.getMessage().contains("v" + version + " is not newer than v5"), e.getMessage());
            assertTrue(e.getMessage().contains("--force"), e.getMessage());
        }
        assertArrayEquals(v5.signedManifest(), retainedManifest("versioned-model"));

        TestBundle v6 = TestBundles.write(dir.resolve("v6.pipit"), "versioned-model", 6);
        assertEquals(6, publisher.publish(v6.file()).version());
        assertArrayEquals(v6.signedManifest(), retainedManifest("versioned-model"));
    }

    @Test
    void publish_olderVersionForced_replacesTheRetainedRelease() throws Exception {
        BundlePublisher publisher = new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 4,
                new PrintWriter(new StringWriter()));
        publisher.publish(TestBundles.write(dir.resolve("f2.pipit"), "forced-model", 2).file());
        TestBundle v1 = TestBundles.write(dir.resolve("f1.pipit"), "forced-model", 1);

        publisher.publish(v1.file(), true);

        assertArrayEquals(v1.signedManifest(), retainedManifest("forced-model"));
    }

    @Test
    void publish_retainedManifestUnreadable_refusesUnlessForced() throws Exception {
        MqttRecorder.publishRetained(mosquitto.url(), Topics.manifest("garbled-model"), new byte[] {(byte) 0xff, 1, 2});
        BundlePublisher publisher = new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 4,
                new PrintWriter(new StringWriter()));
        TestBundle v1 = TestBundles.write(dir.resolve("g1.pipit"), "garbled-model", 1);

        IOException e = assertThrows(IOException.class, () -> publisher.publish(v1.file()));
        assertTrue(e.getMessage().contains("not a SignedManifest"), e.getMessage());
        publisher.publish(v1.file(), true);
        assertArrayEquals(v1.signedManifest(), retainedManifest("garbled-model"));
    }

    private static byte[] retainedManifest(String model) throws Exception {
        try (MqttRecorder r = MqttRecorder.subscribe(mosquitto.url(), Topics.manifest(model))) {
            return r.until(x -> true, TIMEOUT).get(0).payload();
        }
    }

    @Test
    void publish_payloadNotMatchingManifest_publishesNothing() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("corrupt.pipit"), "corrupt-model", 1);
        try (RandomAccessFile f = new RandomAccessFile(bundle.file().toFile(), "rw")) {
            f.seek(f.length() - 10);
            int b = f.read();
            f.seek(f.length() - 10);
            f.write(b ^ 0xff);
        }
        BundlePublisher publisher = new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 4,
                new PrintWriter(new StringWriter()));
        BundleException e = assertThrows(BundleException.class, () -> publisher.publish(bundle.file()));
        assertTrue(e.getMessage().contains("fp32-4k"), e.getMessage());

        // Retained messages arrive on subscription, before anything published afterwards: when the
        // marker arrives, anything the failed publish left behind would have arrived already.
        try (MqttRecorder subscriber = MqttRecorder.subscribe(mosquitto.url(), "pipit/v1/models/corrupt-model/#")) {
            MqttRecorder.publishRetained(mosquitto.url(), "pipit/v1/models/corrupt-model/marker", new byte[] {1});
            List<Received> got = subscriber.until(r -> r.topic().endsWith("/marker"), TIMEOUT);
            assertEquals(1, got.size(), "published: " + got.stream().map(Received::topic).toList());
        }
    }

    @Test
    void publish_unreachableBroker_failsNamingTheBroker() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("nowhere.pipit"), "nowhere-model", 1);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "tcp://127.0.0.1:" + closedPort;
        BundlePublisher publisher = new BundlePublisher(BrokerEndpoint.anonymous(url), 4, new PrintWriter(new StringWriter()));
        IOException e = assertThrows(IOException.class, () -> publisher.publish(bundle.file()));
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }

    @Test
    void constructor_noMessagesInFlight_throws() {
        assertThrows(IllegalArgumentException.class,
                () -> new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 0, new PrintWriter(new StringWriter())));
    }

    /** Chunk messages, reassembled per variant in index order, are the payloads and decode to the graphs. */
    private static void assertPayloadsReassemble(TestBundle bundle, List<Received> chunks) {
        Map<String, Map<Integer, byte[]>> byVariant = new HashMap<>();
        for (Received r : chunks) {
            String[] levels = r.topic().split("/");
            assertEquals(String.valueOf(bundle.manifest().getVersion()), levels[4], r.topic());
            byte[] previous = byVariant.computeIfAbsent(levels[5], k -> new HashMap<>()).put(Integer.parseInt(levels[7]), r.payload());
            assertEquals(null, previous, "chunk sent twice: " + r.topic());
        }
        for (Variant v : bundle.manifest().getVariantsList()) {
            Map<Integer, byte[]> got = byVariant.get(v.getId());
            assertEquals(v.getChunkSha256Count(), got.size(), v.getId());
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            for (int i = 0; i < got.size(); i++) {
                payload.writeBytes(got.get(i));
            }
            assertArrayEquals(bundle.payloads().get(v.getId()), payload.toByteArray(), v.getId());
            assertEquals(bundle.graphs().get(v.getId()), GraphCodec.decode(payload.toByteArray()), v.getId());
        }
    }
}
