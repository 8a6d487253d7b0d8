package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TcpProxy;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers interrupted on the network's side: the broker restarted (its retained chunks kept by
 * persistence), the link cut. Every chunk is asked for once, except those outstanding at the interruption.
 */
class AgentResumeTest {

    private static final TinyMlp MLP = TinyMlp.random(3, 64, 48, 10);
    private static final Graph INT8 = MLP.int8(MLP.inputs(2, 64));
    private static final Pattern REQUESTED = Pattern.compile("requesting chunks \\[([0-9, ]*)] of tiny v1 int8");
    private static final int WINDOW = 4;
    private static final int STORED_BEFORE = 8;

    @TempDir
    Path dir;

    private FleetSide fleet;
    private Agent agent;
    private final List<String> downloaderLog = new ArrayList<>();
    private final Logger downloaderLogger = Logger.getLogger("dev.pipit.agent.transfer.Downloader");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (downloaderLog) {
                downloaderLog.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        fleet = FleetSide.start(dir, true);
        downloaderLogger.setLevel(Level.FINE);
        downloaderLogger.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        downloaderLogger.removeHandler(capture);
        if (agent != null) {
            agent.close();
        }
        fleet.close();
    }

    private SignedBundle bundle() {
        return SignedBundle.builder("tiny", 1).variant("int8", INT8, 0.9).golden(MLP.inputs(1, 3), 3).chunkBytes(64)
                .build(fleet.key());
    }

    /** Publishes every chunk but the window after the first {@value #STORED_BEFORE}, and the manifest. */
    private void publishAllButAWindow(SignedBundle b) {
        List<byte[]> chunks = b.chunks("int8");
        for (int i = 0; i < chunks.size(); i++) {
            if (i < STORED_BEFORE || i >= STORED_BEFORE + WINDOW) {
                fleet.client().publish(b.chunkTopic("int8", i), chunks.get(i), true);
            }
        }
        fleet.client().publish(b.manifestTopic(), b.signed().toByteArray(), true);
    }

    private void publishWindow(SignedBundle b) {
        List<byte[]> chunks = b.chunks("int8");
        for (int i = STORED_BEFORE; i < STORED_BEFORE + WINDOW; i++) {
            fleet.client().publish(b.chunkTopic("int8", i), chunks.get(i), true);
        }
    }

    private Agent startAgent(String brokerUrl) throws Exception {
        DeviceProfile device = new DeviceProfile("small", "test device", 512L << 20, 2, "x86_64", Set.of(), 1 << 20, 100, 0.5);
        agent = Agent.start(AgentConfig.of(brokerUrl, "pi-resume", device, dir.resolve("pi-resume"),
                List.of(fleet.publicKey())).withChunkWindow(WINDOW).withStallTimeoutSeconds(60));
        return agent;
    }

    /** Waits until the download has asked for the missing window: every chunk before it is stored. */
    private void awaitWaitingForTheWindow() throws InterruptedException {
        String window = "requesting chunks [" + STORED_BEFORE;
        for (int i = 0; i < 400; i++) {
            synchronized (downloaderLog) {
                if (downloaderLog.stream().anyMatch(l -> l.startsWith(window) || l.matches("requesting chunks \\[.*\\b"
                        + (STORED_BEFORE + WINDOW - 1) + "] of tiny v1 int8"))) {
                    break;
                }
            }
            Thread.sleep(25);
        }
        Thread.sleep(300); // the last chunks before the window are written
    }

    /** How often each chunk was asked for. */
    private Map<Integer, Integer> requests() {
        Map<Integer, Integer> count = new HashMap<>();
        synchronized (downloaderLog) {
            for (String line : downloaderLog) {
                Matcher m = REQUESTED.matcher(line);
                if (m.find() && !m.group(1).isBlank()) {
                    Arrays.stream(m.group(1).split(", ")).map(Integer::parseInt).forEach(i -> count.merge(i, 1, Integer::sum));
                }
            }
        }
        return count;
    }

    private void assertEachChunkAskedForOnceButTheWindowTwice(int chunks) {
        Map<Integer, Integer> count = requests();
        for (int i = 0; i < chunks; i++) {
            boolean window = i >= STORED_BEFORE && i < STORED_BEFORE + WINDOW;
            assertEquals(window ? 2 : 1, count.getOrDefault(i, 0), "chunk " + i + " requests: " + count);
        }
    }

    @Test
    void download_brokerRestartedMidTransfer_completesFromItsPersistedRetainedChunks() throws Exception {
        SignedBundle b = bundle();
        int chunks = b.chunks("int8").size();
        assertTrue(chunks > STORED_BEFORE + 2 * WINDOW, "chunks after the window come from the persisted store");
        publishAllButAWindow(b);
        startAgent(fleet.url());
        awaitWaitingForTheWindow();

        fleet.stopBroker(); // saves the retained chunks (and the device's session) to its persistence file
        for (int i = 0; i < 100 && agent.isConnected(); i++) {
            Thread.sleep(50);
        }
        assertFalse(agent.isConnected());
        fleet.restartBroker();
        publishWindow(b);

        fleet.awaitStatus("pi-resume", serving(1, "int8"));
        assertEachChunkAskedForOnceButTheWindowTwice(chunks);
        assertTrue(Files.exists(dir.resolve("pi-resume/slots/a/int8.graph")));
    }

    @Test
    void download_networkCutMidTransfer_resumesAfterTheLinkIsBack() throws Exception {
        SignedBundle b = bundle();
        int chunks = b.chunks("int8").size();
        publishAllButAWindow(b);
        try (TcpProxy link = TcpProxy.start(fleet.broker().port())) {
            startAgent(link.url());
            awaitWaitingForTheWindow();

            link.cut();
            for (int i = 0; i < 100 && agent.isConnected(); i++) {
                Thread.sleep(50);
            }
            assertFalse(agent.isConnected());
            publishWindow(b); // the fleet publishes the rest while the device is cut off
            Thread.sleep(500);
            link.restore();

            fleet.awaitStatus("pi-resume", serving(1, "int8"));
        }
        assertEachChunkAskedForOnceButTheWindowTwice(chunks);
    }
}
