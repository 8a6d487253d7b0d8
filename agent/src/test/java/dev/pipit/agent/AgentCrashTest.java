package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.local;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.testing.AgentProcess;
import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own JVM, killed with SIGKILL during downloads and activations, as a power cut or the
 * OOM killer would: it must always come back on a verified model and finish the download without fetching
 * a chunk again that was verified on disk.
 */
class AgentCrashTest {

    private static final Pattern REQUESTED = Pattern.compile("requesting chunks \\[([0-9, ]*)] of tiny v(\\d+) int8");
    private static final Pattern RESTORED = Pattern.compile("restored tiny v(\\d+) int8");
    private static final Pattern ACTIVATED = Pattern.compile("activated tiny v(\\d+) int8");
    private static final int KILLS = 24;

    @TempDir
    Path dir;

    private FleetSide fleet;
    private final Map<Long, SignedBundle> bundles = new HashMap<>();

    @BeforeEach
    void startBroker() throws Exception {
        fleet = FleetSide.start(dir, false);
    }

    @AfterEach
    void stop() throws Exception {
        fleet.close();
    }

    private static TinyMlp mlp(long version) {
        return TinyMlp.random(version, 64, 48, 10); // other weights in every version: each answers differently
    }

    private static Graph graph(long version) {
        return mlp(version).int8(mlp(version).inputs(2, 64));
    }

    /** About 60 chunks of 64 bytes: a download long enough to be killed in the middle. */
    private SignedBundle bundle(long version) {
        return bundles.computeIfAbsent(version, v -> SignedBundle.builder("tiny", v).variant("int8", graph(v), 0.9)
                .golden(mlp(v).inputs(1, 3), 3).chunkBytes(64).build(fleet.key()));
    }

    private Path config(int crashLoopRestarts) throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, String.join("\n",
                "broker: " + fleet.url(),
                "id: pi-kill",
                "profile: x86-64-dev",
                "state-dir: state",
                "trust: " + fleet.publicKey(),
                "chunk-window: 2",
                "stall-timeout: 30",
                "probation: 600",
                "crash-loop-restarts: " + crashLoopRestarts,
                ""));
        return config;
    }

    /** The chunks of a version's partial download whose bytes verify against the manifest, as the agent would find them. */
    private Set<Integer> verifiedOnDisk(long version) throws Exception {
        Path partial = dir.resolve("state/downloads/tiny/" + version + "/int8.partial");
        Set<Integer> verified = new HashSet<>();
        if (!Files.exists(partial)) {
            return verified;
        }
        byte[] bytes = Files.readAllBytes(partial);
        Variant v = bundle(version).variant("int8");
        for (int i = 0; i < v.getChunkSha256Count(); i++) {
            int start = i * v.getChunkBytes();
            int length = Chunks.size(v.getPayloadBytes(), v.getChunkBytes(), i);
            if (start + length <= bytes.length && MessageDigest.isEqual(v.getChunkSha256(i).toByteArray(),
                    Chunks.sha256(Arrays.copyOfRange(bytes, start, start + length)))) {
                verified.add(i);
            }
        }
        return verified;
    }

    private static Set<Integer> requested(List<String> log, long version) {
        Set<Integer> chunks = new HashSet<>();
        for (String line : log) {
            Matcher m = REQUESTED.matcher(line);
            if (m.find() && Long.parseLong(m.group(2)) == version && !m.group(1).isBlank()) {
                Arrays.stream(m.group(1).split(", ")).map(Integer::parseInt).forEach(chunks::add);
            }
        }
        return chunks;
    }

    private static long last(List<String> log, Pattern p) {
        long v = 0;
        for (String line : log) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                v = Math.max(v, Long.parseLong(m.group(1)));
            }
        }
        return v;
    }

    @Test
    void kill9_duringDownloadsAndActivations_alwaysRestartsVerifiedAndNeverRefetchesAVerifiedChunk() throws Exception {
        Path config = config(1000); // crash-loop rollback is another test's subject
        SplittableRandom random = new SplittableRandom(42);
        long newest = 1;
        long activated = 0;
        bundle(1).publish(fleet.client());
        List<String> kinds = new ArrayList<>();
        int refetchChecks = 0;
        for (int run = 0; run < KILLS; run++) {
            if (activated == newest) {
                newest++;
                bundle(newest).publish(fleet.client());
            }
            Set<Integer> verified = verifiedOnDisk(newest);
            String downloading = "of tiny v" + newest + " int8";
            long version = newest;
            String kind;
            long delay;
            String trigger;
            switch (run % 4) {
                case 0 -> { kind = "mid-download"; trigger = "download " + downloading + " started"; delay = random.nextLong(150); }
                case 1 -> { kind = "install"; trigger = "download " + downloading + " done"; delay = 0; }
                case 2 -> { kind = "activation"; trigger = "activated tiny v" + version + " int8"; delay = 0; }
                default -> { kind = "start-up"; trigger = "agent pi-kill starting"; delay = random.nextLong(600); }
            }
            AgentProcess p = AgentProcess.start(config);
            try {
                String line = p.await(l -> l.contains(trigger), 15_000);
                if (line != null && delay > 0) {
                    Thread.sleep(delay);
                }
                kinds.add(kind + (line == null ? " (trigger not seen)" : ""));
            } finally {
                p.kill();
            }
            List<String> log = p.log();
            assertFalse(log.stream().anyMatch(l -> l.contains("cannot be restored") || l.contains("rejected")),
                    "run " + run + " (" + kind + "):\n" + String.join("\n", log));
            long restored = last(log, RESTORED);
            if (log.stream().anyMatch(l -> l.contains("connected to")) && activated > 0) {
                assertTrue(restored >= activated, "run " + run + " restored v" + restored + " after v" + activated
                        + " was activated:\n" + String.join("\n", log));
            }
            Set<Integer> again = new HashSet<>(requested(log, version));
            again.retainAll(verified);
            assertEquals(Set.of(), again, "run " + run + " (" + kind + ") asked again for chunks verified on disk: "
                    + String.join("\n", log));
            refetchChecks += verified.isEmpty() ? 0 : 1;
            activated = Math.max(activated, Math.max(restored, last(log, ACTIVATED)));
        }
        assertTrue(refetchChecks >= 4, "downloads were interrupted with verified chunks on disk only " + refetchChecks
                + " times: " + kinds);

        try (AgentProcess p = AgentProcess.start(config)) {
            String target = "tiny v" + newest + " int8";
            assertNotNull(p.await(l -> l.contains("activated " + target) || l.contains("restored " + target), 20_000),
                    String.join("\n", p.log()));
            assertNotNull(p.await(l -> l.contains("connected to"), 20_000));
            float[] x = mlp(newest).inputs(9, 2);
            InferenceResponse r = fleet.infer("pi-kill", 2, x);
            assertEquals(newest, r.getVersion());
            assertArrayEquals(local(graph(newest), x, 2), FleetSide.values(r));
        }
    }

    @Test
    void kill9_repeatedlyWhileANewModelIsOnProbation_rollsBackOnStartAndReportsIt() throws Exception {
        Path config = config(2);
        bundle(1).publish(fleet.client());
        try (AgentProcess p = AgentProcess.start(config)) {
            assertNotNull(p.await(l -> l.contains("activated tiny v1 int8"), 20_000), String.join("\n", p.log()));
        } // a clean stop
        bundle(2).publish(fleet.client());
        AgentProcess p = AgentProcess.start(config);
        assertNotNull(p.await(l -> l.contains("activated tiny v2 int8"), 20_000), String.join("\n", p.log()));
        p.kill(); // the new model "crashes" the agent: once
        p = AgentProcess.start(config);
        assertNotNull(p.await(l -> l.contains("restored tiny v2 int8") && l.contains("on probation, 1 crashes"), 20_000),
                String.join("\n", p.log()));
        p.kill(); // twice

        try (AgentProcess third = AgentProcess.start(config)) {
            assertNotNull(third.await(l -> l.contains("tiny v1 int8 serves again"), 20_000), String.join("\n", third.log()));
            Rejection r = fleet.awaitRejection("pi-kill", x -> x.getVersion() == 2);
            assertEquals("tiny v2 int8 rolled back: the agent restarted 2 times without completing its probation"
                    + " (crash loop)", r.getReason());
            ModelEvent e = fleet.awaitModelEvent("pi-kill", x -> x.getKind() == ModelEvent.Kind.ROLLED_BACK);
            assertEquals(1, e.getActive().getVersion());
            assertEquals(1, fleet.infer("pi-kill", 1, mlp(1).inputs(5, 1)).getVersion());
            Thread.sleep(500); // v2's retained manifest arrived meanwhile: known, so neither fetched nor activated again
            assertFalse(third.log().stream().anyMatch(l -> l.contains("download of tiny v2")), String.join("\n", third.log()));
        }
    }
}
