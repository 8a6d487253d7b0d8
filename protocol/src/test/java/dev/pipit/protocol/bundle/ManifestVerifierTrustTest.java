package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier with root metadata: thresholds, rotation carried by manifests and kept across restarts, freeze. */
class ManifestVerifierTrustTest {

    private static final long NOW = System.currentTimeMillis();
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private final KeyPair root1 = KeyFiles.generate();
    private final KeyPair root2 = KeyFiles.generate();
    private final KeyPair release = KeyFiles.generate();
    private final KeyPair release2 = KeyFiles.generate();
    private Path rootJson;
    private Path kept;
    private TrustRoot v1;

    @BeforeEach
    void writeRoot() throws Exception {
        byte[] signed = RootSigner.init(new RootSigner.Spec(1, NOW, NOW + 90 * DAY, List.of(root1.getPublic(), root2.getPublic()),
                2, List.of(release.getPublic()), 1, Set.of()), List.of(root1, root2));
        rootJson = dir.resolve("root.json");
        RootFiles.write(rootJson, signed);
        kept = dir.resolve("state/root.pb");
        Files.createDirectories(kept.getParent());
        v1 = TrustRoot.installed(signed);
    }

    private static Manifest manifest(long version) {
        return Manifest.newBuilder().setModelId("fmnist").setVersion(version)
                .addVariants(BundleFileTest.variant("int8", BundleFileTest.random(300, 3), 128)).build();
    }

    private ManifestVerifier open() throws IOException {
        return ManifestVerifier.open(List.of(rootJson), kept, BundleLimits.defaults());
    }

    /** Root v2: release key revoked, release2 in its place. */
    private byte[] revokingRoot() throws BundleException {
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + 90 * DAY)
                .revoke(KeyFiles.keyId(release.getPublic())).withRelease(List.of(release2.getPublic()), 1);
        return RootSigner.rotate(v1, s2, List.of(root1, root2));
    }

    @Test
    void open_rootMetadata_acceptsItsReleaseKeyOnly() throws Exception {
        ManifestVerifier verifier = open();
        assertEquals(manifest(3), verifier.verify(ManifestSigner.sign(manifest(3), release).toByteArray()));
        String why = assertThrows(BundleException.class,
                () -> verifier.verify(ManifestSigner.sign(manifest(3), root1).toByteArray())).getMessage();
        assertTrue(why.endsWith("which is not a release key"), why);
    }

    @Test
    void verify_attachedRootRevokingAKey_rotatesKeepsItAndRefusesTheKeyAfterRestart() throws Exception {
        ManifestVerifier verifier = open();
        byte[] withChain = ManifestSigner.sign(manifest(4), List.of(release2), List.of(revokingRoot())).toByteArray();
        assertEquals(4, verifier.verify(withChain).getVersion());
        assertEquals(2, verifier.root().version());
        assertTrue(Files.exists(kept));

        ManifestVerifier restarted = open();
        assertEquals(2, restarted.root().version());
        String why = assertThrows(BundleException.class,
                () -> restarted.verify(ManifestSigner.sign(manifest(5), release).toByteArray())).getMessage();
        assertEquals("manifest is signed by revoked key " + KeyFiles.keyId(release.getPublic()), why);
    }

    @Test
    void verify_attachedRootSignedByReleaseKeys_refusedAndRootUnchanged() throws Exception {
        ManifestVerifier verifier = open();
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + DAY).withRoot(List.of(release.getPublic()), 1);
        assertThrows(BundleException.class, () -> RootSigner.rotate(v1, s2, List.of(release))); // the fleet tool refuses too
        byte[] forged = forgedRoot(s2);
        String why = assertThrows(BundleException.class, () -> verifier.verify(
                ManifestSigner.sign(manifest(4), List.of(release), List.of(forged)).toByteArray())).getMessage();
        assertEquals("attached root refused: root v2 has 0 valid signatures by root v1's root keys, 2 required", why);
        assertEquals(1, verifier.root().version());
        assertFalse(Files.exists(kept));
    }

    /** A root v2 signed only by the release key (an attacker holding a release key, not root keys). */
    private byte[] forgedRoot(RootSigner.Spec s2) throws BundleException {
        TrustRoot anything = TrustRoot.installed(RootSigner.init(new RootSigner.Spec(1, NOW, NOW + DAY,
                List.of(release.getPublic()), 1, List.of(release.getPublic()), 1, Set.of()), List.of(release)));
        return RootSigner.rotate(anything, s2, List.of(release));
    }

    @Test
    void verify_attachedRootsAlreadyHeld_ignored() throws Exception {
        ManifestVerifier verifier = open();
        byte[] v1Bytes = v1.signedRoot();
        assertEquals(4, verifier.verify(ManifestSigner.sign(manifest(4), List.of(release), List.of(v1Bytes)).toByteArray())
                .getVersion());
        assertEquals(1, verifier.root().version());
    }

    @Test
    void verifyUpdate_expiredManifest_refusedAsFreezeButVerifyStillAcceptsIt() throws Exception {
        ManifestVerifier verifier = open();
        byte[] expired = ManifestSigner.sign(manifest(4).toBuilder().setExpiresEpochMillis(NOW - 1).build(), release).toByteArray();
        String why = assertThrows(BundleException.class, () -> verifier.verifyUpdate(expired, NOW)).getMessage();
        assertTrue(why.startsWith("manifest of fmnist v4 expired at") && why.endsWith("(freeze)"), why);
        assertEquals(4, verifier.verify(expired).getVersion()); // what a restart re-verifies: no clock
    }

    @Test
    void verifyUpdate_expiredRoot_refusedAsFreeze() throws Exception {
        ManifestVerifier verifier = open();
        byte[] fresh = ManifestSigner.sign(manifest(4), release).toByteArray();
        verifier.verifyUpdate(fresh, NOW);
        String why = assertThrows(BundleException.class, () -> verifier.verifyUpdate(fresh, NOW + 91 * DAY)).getMessage();
        assertTrue(why.startsWith("root metadata v1 expired at"), why);
    }

    @Test
    void open_pemKeys_compatibilityModeIgnoresRoots() throws Exception {
        Path pem = dir.resolve("fleet.pub");
        KeyFiles.writePublic(pem, release.getPublic());
        ManifestVerifier verifier = ManifestVerifier.open(List.of(pem), kept, BundleLimits.defaults());
        assertFalse(verifier.root().rotatable());
        assertEquals(4, verifier.verify(ManifestSigner.sign(manifest(4), List.of(release), List.of(revokingRoot()))
                .toByteArray()).getVersion());
        assertFalse(Files.exists(kept));
    }

    @Test
    void open_rootAndPemTogether_refused() throws Exception {
        Path pem = dir.resolve("fleet.pub");
        KeyFiles.writePublic(pem, release.getPublic());
        assertThrows(IOException.class, () -> ManifestVerifier.open(List.of(pem, rootJson), kept, BundleLimits.defaults()));
    }

    @Test
    void open_corruptKeptRoot_failsClosed() throws Exception {
        Files.write(kept, new byte[] {1, 2, 3});
        String why = assertThrows(IOException.class, this::open).getMessage();
        assertTrue(why.contains("cannot be trusted") && why.contains("delete it"), why);
    }

    @Test
    void verify_manifestOverLimit_refusedBeforeParsing() {
        ManifestVerifier small = new ManifestVerifier(v1, new BundleLimits(100, 4, 1000, 100));
        String why = assertThrows(BundleException.class, () -> small.verify(new byte[101])).getMessage();
        assertEquals("manifest of 101 bytes exceeds the limit of 100", why);
    }

    @Test
    void validate_tooManyChunks_refused() {
        Manifest m = manifest(4);
        BundleLimits limits = new BundleLimits(1 << 20, 4, 1 << 20, 1 << 10, 2, 1 << 20);
        String why = assertThrows(BundleException.class, () -> ManifestVerifier.validate(m, limits)).getMessage();
        assertEquals("variant int8 needs 3 chunks; at most 2 are allowed", why);
    }
}
