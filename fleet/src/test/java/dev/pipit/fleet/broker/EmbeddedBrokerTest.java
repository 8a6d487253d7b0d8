package dev.pipit.fleet.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.fleet.testing.MqttRecorder.Received;
import dev.pipit.fleet.testing.TestBundles;
import dev.pipit.fleet.testing.TestBundles.TestBundle;
import dev.pipit.protocol.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** HiveMQ waits out a 2 s Netty quiet period on stop, so the tests share one broker where they can. */
    private static EmbeddedBroker shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void startShared() throws IOException {
        long t0 = System.nanoTime();
        shared = new EmbeddedBroker(0);
        shared.start();
        System.err.printf("embedded HiveMQ started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stopShared() {
        shared.close();
    }

    @Test
    void start_portZero_listensOnLoopbackAtTheReturnedPort() {
        assertTrue(shared.port() > 0);
        assertEquals("tcp://127.0.0.1:" + shared.port(), shared.url());
        assertTrue(accepts(shared.port()));
    }

    @Test
    void start_retained64KiBMessage_isKeptForALaterSubscriber() throws Exception {
        byte[] chunk = new byte[64 << 10];
        new Random(7).nextBytes(chunk);
        MqttRecorder.publishRetained(shared.url(), "pipit/v1/test/chunk", chunk);
        try (MqttRecorder subscriber = MqttRecorder.subscribe(shared.url(), "pipit/v1/test/#")) {
            Received got = subscriber.until(r -> true, TIMEOUT).get(0);
            assertEquals("pipit/v1/test/chunk", got.topic());
            assertTrue(got.retained());
            assertArrayEquals(chunk, got.payload());
        }
    }

    @Test
    void start_bundlePublished_laterSubscriberGetsEveryChunkAndTheManifest() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("b.pipit"), "hivemq-model", 2);
        new BundlePublisher(BrokerEndpoint.anonymous(shared.url()), 64, new PrintWriter(new StringWriter()))
                .publish(bundle.file());
        try (MqttRecorder subscriber = MqttRecorder.subscribe(shared.url(), "pipit/v1/models/hivemq-model/#")) {
            int[] seen = {0};
            List<Received> got = subscriber.until(r -> ++seen[0] == bundle.chunkCount() + 1, TIMEOUT);
            assertTrue(got.stream().anyMatch(r -> r.topic().equals(Topics.manifest("hivemq-model"))));
            long chunkBytes = got.stream().filter(r -> r.topic().contains("/chunks/")).mapToLong(r -> r.payload().length).sum();
            assertEquals(bundle.payloads().values().stream().mapToLong(p -> p.length).sum(), chunkBytes);
        }
    }

    @Test
    void constructor_persistentWithoutDataFolder_throws() {
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedBroker("127.0.0.1", 0, null, true));
    }

    @Test
    void start_twice_throws() {
        assertThrows(IllegalStateException.class, shared::start);
    }

    @Test
    void close_persistent_releasesPortAndKeepsRetainedForTheNextStart() throws Exception {
        Path data = dir.resolve("data");
        int firstPort;
        try (EmbeddedBroker broker = new EmbeddedBroker("127.0.0.1", 0, data, true)) {
            firstPort = broker.start();
            MqttRecorder.publishRetained(broker.url(), "pipit/v1/test/kept", new byte[] {4, 2});
        }
        assertFalse(accepts(firstPort));
        try (EmbeddedBroker broker = new EmbeddedBroker("127.0.0.1", 0, data, true)) {
            broker.start();
            try (MqttRecorder subscriber = MqttRecorder.subscribe(broker.url(), "pipit/v1/test/#")) {
                assertArrayEquals(new byte[] {4, 2}, subscriber.until(r -> true, TIMEOUT).get(0).payload());
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
