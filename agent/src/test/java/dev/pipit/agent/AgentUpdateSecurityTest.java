package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update attacks of TUF and Uptane against a running agent over a real Mosquitto, with root metadata as
 * its trust: rollback (also after a restart), freeze, mix-and-match, another model's manifest, too few
 * signatures, revoked and unknown keys, and a key rotation that survives a restart.
 */
class AgentUpdateSecurityTest {

    private static final TinyMlp MLP = TinyMlp.random(5, 16, 8, 4);
    private static final TinyMlp OTHER_MLP = TinyMlp.random(6, 16, 8, 4);
    private static final Graph FP32 = MLP.fp32();
    private static final long DAY = 86_400_000L;
    private static final DeviceProfile DEVICE = new DeviceProfile("test-device", "test device", 512L << 20, 2, "x86_64",
            Set.of(), 64L << 20, 100, 0.5);

    @TempDir
    Path dir;

    private FleetSide fleet;
    private final List<Agent> agents = new ArrayList<>();
    private final KeyPair root1 = KeyFiles.generate();
    private final KeyPair root2 = KeyFiles.generate();
    private final KeyPair release1 = KeyFiles.generate();
    private final KeyPair release2 = KeyFiles.generate();
    private TrustRoot v1;
    private Path rootFile;

    @BeforeEach
    void startBroker() throws Exception {
        fleet = FleetSide.start(dir, false);
        installRoot(System.currentTimeMillis() + 30 * DAY, 1);
    }

    /** Root v1 on the device: root keys 2 of 2, release keys {@code releaseThreshold} of 2. */
    private void installRoot(long expires, int releaseThreshold) throws Exception {
        long now = System.currentTimeMillis();
        byte[] signed = RootSigner.init(new RootSigner.Spec(1, now, expires, List.of(root1.getPublic(), root2.getPublic()), 2,
                List.of(release1.getPublic(), release2.getPublic()), releaseThreshold, Set.of()), List.of(root1, root2));
        v1 = TrustRoot.installed(signed);
        rootFile = dir.resolve("root.json");
        RootFiles.write(rootFile, signed);
    }

    @AfterEach
    void stop() throws Exception {
        for (Agent a : agents) {
            a.close();
        }
        fleet.close();
    }

    private Agent start() throws Exception {
        Agent a = Agent.start(AgentConfig.of(fleet.url(), "dev-1", DEVICE, dir.resolve("dev-1"), List.of(rootFile))
                .withChunkWindow(3).withStallTimeoutSeconds(2).withModels(Set.of("tiny")));
        agents.add(a);
        return a;
    }

    private void restart() throws Exception {
        agents.remove(agents.size() - 1).close();
        start();
    }

    private static SignedBundle bundle(String model, long version, TinyMlp mlp, KeyPair key) {
        return SignedBundle.builder(model, version).variant("fp32", mlp.fp32(), 0.90).golden(mlp.inputs(1, 4), 4)
                .chunkBytes(64).build(key);
    }

    /** Every chunk of the bundle, then {@code signed} as its manifest (on the manifest topic of {@code topicModel}). */
    private void publish(SignedBundle b, SignedManifest signed, String topicModel) {
        List<byte[]> chunks = b.chunks("fp32");
        for (int i = 0; i < chunks.size(); i++) {
            fleet.client().publish(b.chunkTopic("fp32", i), chunks.get(i), true);
        }
        fleet.client().publish(Topics.manifest(topicModel), signed.toByteArray(), true);
    }

    private void publish(SignedBundle b) {
        publish(b, b.signed(), b.manifest().getModelId());
    }

    private Rejection rejection(long version) throws InterruptedException {
        return fleet.awaitRejection("dev-1", r -> r.getVersion() == version);
    }

    /** The reason of a rejection (received at any time) that contains {@code fragment}. */
    private String refusal(String fragment) throws InterruptedException {
        return fleet.awaitRejection("dev-1", r -> r.getReason().contains(fragment)).getReason();
    }

    @Test
    void agent_olderVersionReplayedAfterRestart_refusedFromThePersistedVersion() throws Exception {
        start();
        SignedBundle first = bundle("tiny", 1, MLP, release1);
        publish(first);
        fleet.awaitStatus("dev-1", serving(1, "fp32"));
        publish(bundle("tiny", 2, OTHER_MLP, release1));
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
        assertTrue(Files.readString(dir.resolve("dev-1/state.properties")).contains("trusted.tiny=2 "));

        restart();
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
        publish(first); // the exact bytes fleet published once, validly signed: a replay
        assertEquals("version 1 of tiny is not newer than version 2, already accepted (rollback refused)",
                rejection(1).getReason());
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
    }

    @Test
    void agent_expiredManifest_refusedAsFreeze() throws Exception {
        start();
        SignedBundle b = bundle("tiny", 3, MLP, release1);
        Manifest expired = b.manifest().toBuilder().setExpiresEpochMillis(System.currentTimeMillis() - 1000).build();
        publish(b, ManifestSigner.sign(expired, release1), "tiny");
        String why = refusal("(freeze)");
        assertTrue(why.startsWith("manifest of tiny v3 expired at"), why);
    }

    @Test
    void agent_expiredRoot_refusesEveryRelease() throws Exception {
        installRoot(System.currentTimeMillis() - 1000, 1);
        start();
        publish(bundle("tiny", 1, MLP, release1));
        assertTrue(refusal("expired").startsWith("root metadata v1 expired at"));
    }

    @Test
    void agent_chunksOfAnotherRelease_refusedAsMixAndMatch() throws Exception {
        start();
        SignedBundle old = bundle("tiny", 1, MLP, release1);
        SignedBundle next = bundle("tiny", 2, OTHER_MLP, release1);
        assertEquals(old.payload("fp32").length, next.payload("fp32").length);
        List<byte[]> oldChunks = old.chunks("fp32");
        for (int i = 0; i < oldChunks.size(); i++) {
            fleet.client().publish(next.chunkTopic("fp32", i), oldChunks.get(i), true); // v1's payload under v2's name
        }
        fleet.client().publish(next.manifestTopic(), next.signed().toByteArray(), true);
        assertTrue(rejection(2).getReason().matches("chunk \\d+ of variant fp32 fails its SHA-256"));
        assertTrue(agents.get(0).active().isEmpty());
    }

    @Test
    void agent_manifestOfAnotherModel_refusedOnItsTopicAndByConfiguration() throws Exception {
        start();
        SignedBundle other = bundle("other", 1, MLP, release1);
        publish(other, other.signed(), "tiny");
        assertEquals("manifest for model other arrived on the topic of model tiny", refusal("arrived on the topic"));
        publish(other, other.signed(), "other");
        assertEquals("model other is not one this device is configured for [tiny]", refusal("configured for"));
    }

    @Test
    void agent_belowThresholdThenRotationRevokingAKey_enforcedAcrossRestart() throws Exception {
        installRoot(System.currentTimeMillis() + 30 * DAY, 2);
        start();
        SignedBundle b1 = bundle("tiny", 1, MLP, release1);
        publish(b1);
        assertEquals("manifest has 1 valid release signature, 2 required", refusal("required"));
        publish(b1, ManifestSigner.sign(b1.manifest(), List.of(release1, release2), List.of()), "tiny");
        fleet.awaitStatus("dev-1", serving(1, "fp32"));

        // Release key 1 is compromised: root v2 revokes it and adds release key 3; devices get v2 with release 2.
        KeyPair release3 = KeyFiles.generate();
        long now = System.currentTimeMillis();
        RootSigner.Spec s2 = RootSigner.spec(v1, now).next(now, now + 30 * DAY).revoke(KeyFiles.keyId(release1.getPublic()))
                .withRelease(List.of(release2.getPublic(), release3.getPublic()), 2);
        byte[] rootV2 = RootSigner.rotate(v1, s2, List.of(root1, root2));
        SignedBundle b2 = bundle("tiny", 2, OTHER_MLP, release2);
        publish(b2, ManifestSigner.sign(b2.manifest(), List.of(release2, release3), List.of(rootV2)), "tiny");
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
        assertTrue(Files.exists(dir.resolve("dev-1/root.pb")));

        restart(); // the installed root.json is still v1: the kept root v2 must win
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
        SignedBundle b3 = bundle("tiny", 3, MLP, release1);
        publish(b3, ManifestSigner.sign(b3.manifest(), List.of(release1, release2), List.of()), "tiny");
        refusal("signed by revoked key " + KeyFiles.keyId(release1.getPublic()));
        SignedBundle b4 = bundle("tiny", 4, MLP, release2);
        KeyPair stranger = KeyFiles.generate();
        publish(b4, ManifestSigner.sign(b4.manifest(), List.of(stranger, release2), List.of()), "tiny");
        refusal("signed by untrusted key " + KeyFiles.keyId(stranger.getPublic()));
        fleet.awaitStatus("dev-1", serving(2, "fp32"));
    }
}
