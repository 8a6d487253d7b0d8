package dev.pipit.protocol.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedRoot;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrustRootTest {

    static final long NOW = 1_800_000_000_000L;
    static final long DAY = 86_400_000L;

    private final KeyPair r1 = KeyFiles.generate();
    private final KeyPair r2 = KeyFiles.generate();
    private final KeyPair r3 = KeyFiles.generate();
    private final KeyPair release = KeyFiles.generate();
    private final KeyPair release2 = KeyFiles.generate();

    private RootSigner.Spec spec() {
        return new RootSigner.Spec(1, NOW, NOW + 365 * DAY, List.of(r1.getPublic(), r2.getPublic(), r3.getPublic()), 2,
                List.of(release.getPublic()), 1, Set.of());
    }

    private TrustRoot first() throws BundleException {
        return TrustRoot.installed(RootSigner.init(spec(), List.of(r1, r2)));
    }

    private static String reason(Executable e) {
        return assertThrows(BundleException.class, e::run).getMessage();
    }

    interface Executable {
        void run() throws Exception;
    }

    private static byte[] message(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void installed_thresholdOfItsRootKeys_trusted() throws Exception {
        TrustRoot root = first();
        assertEquals(1, root.version());
        assertTrue(root.isReleaseKey(KeyFiles.keyId(release.getPublic())));
        assertFalse(root.isReleaseKey(KeyFiles.keyId(r1.getPublic())));
    }

    @Test
    void init_belowThreshold_refused() {
        String why = reason(() -> RootSigner.init(spec(), List.of(r1)));
        assertEquals("root v1 has 1 valid signature by its own root keys, 2 required", why);
    }

    @Test
    void installed_signedByReleaseKeysOnly_refused() throws Exception {
        byte[] bytes = RootSigner.init(spec(), List.of(r1, r2));
        SignedRoot s = SignedRoot.parseFrom(bytes);
        byte[] forged = s.toBuilder().clearSignatures()
                .addSignatures(Ed25519Signatures.sign(TrustRoot.signedBytes(s.getRoot().toByteArray()), release))
                .addSignatures(Ed25519Signatures.sign(TrustRoot.signedBytes(s.getRoot().toByteArray()), r1)).build().toByteArray();
        assertTrue(reason(() -> TrustRoot.installed(forged)).contains("1 valid signature by its own root keys, 2 required"));
    }

    @Test
    void installed_thresholdAboveKeyCount_refused() {
        RootSigner.Spec bad = spec().withRelease(List.of(release.getPublic()), 2);
        assertEquals("root v1 release role has threshold 2 for 1 keys", reason(() -> RootSigner.init(bad, List.of(r1, r2))));
    }

    @Test
    void verifyRelease_validReleaseSignature_accepted() throws Exception {
        first().verifyRelease(message("m"), List.of(Ed25519Signatures.sign(message("m"), release)));
    }

    @Test
    void verifyRelease_rootKeyInsteadOfReleaseKey_refusedNamingTheRole() throws Exception {
        String id = KeyFiles.keyId(r1.getPublic());
        assertEquals("manifest is signed by key " + id + ", which is not a release key",
                reason(() -> first().verifyRelease(message("m"), List.of(Ed25519Signatures.sign(message("m"), r1)))));
    }

    @Test
    void verifyRelease_rootSignatureReplayedOnManifestBytes_doesNotVerify() throws Exception {
        // A root signature covers the domain prefix; the same key signing "m" as a manifest never matches it.
        TrustRoot root = TrustRoot.installed(RootSigner.init(spec().withRelease(List.of(r1.getPublic()), 1), List.of(r1, r2)));
        Signature overRoot = Ed25519Signatures.sign(TrustRoot.signedBytes(message("m")), r1);
        assertTrue(reason(() -> root.verifyRelease(message("m"), List.of(overRoot))).contains("does not verify"));
    }

    @Test
    void verifyRelease_belowReleaseThreshold_refusedWithCount() throws Exception {
        TrustRoot root = TrustRoot.installed(RootSigner.init(
                spec().withRelease(List.of(release.getPublic(), release2.getPublic()), 2), List.of(r1, r2)));
        Signature one = Ed25519Signatures.sign(message("m"), release);
        assertEquals("manifest has 1 valid release signature, 2 required",
                reason(() -> root.verifyRelease(message("m"), List.of(one, one))));
        root.verifyRelease(message("m"), List.of(one, Ed25519Signatures.sign(message("m"), release2)));
    }

    @Test
    void verifyRelease_tooManySignatures_refusedBeforeVerifying() throws Exception {
        Signature junk = Signature.newBuilder().setKeyId("x").setAlgorithm("Ed25519").setSignature(ByteString.copyFrom(new byte[64])).build();
        List<Signature> many = java.util.Collections.nCopies(TrustRoot.MAX_SIGNATURES + 1, junk);
        assertTrue(reason(() -> first().verifyRelease(message("m"), many)).contains("at most 16 are examined"));
    }

    @Test
    void next_signedByOldAndNewThresholds_rotates() throws Exception {
        TrustRoot v1 = first();
        KeyPair r4 = KeyFiles.generate();
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + 30 * DAY)
                .withRoot(List.of(r2.getPublic(), r3.getPublic(), r4.getPublic()), 2);
        TrustRoot v2 = v1.next(RootSigner.rotate(v1, s2, List.of(r1, r2, r4)));
        assertEquals(2, v2.version());
        assertTrue(v2.rootRole().keyIds().contains(KeyFiles.keyId(r4.getPublic())));
    }

    @Test
    void next_onlyNewKeysSigned_refused() throws Exception {
        TrustRoot v1 = first();
        KeyPair n1 = KeyFiles.generate();
        KeyPair n2 = KeyFiles.generate();
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + 30 * DAY).withRoot(List.of(n1.getPublic(), n2.getPublic()), 2);
        // An attacker with fresh keys cannot take over: the old root keys must agree.
        assertEquals("root v2 has 0 valid signatures by root v1's root keys, 2 required",
                reason(() -> RootSigner.rotate(v1, s2, List.of(n1, n2))));
    }

    @Test
    void next_oldKeysOnlyWithoutNewThreshold_refused() throws Exception {
        TrustRoot v1 = first();
        KeyPair n1 = KeyFiles.generate();
        KeyPair n2 = KeyFiles.generate();
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + 30 * DAY).withRoot(List.of(n1.getPublic(), n2.getPublic()), 2);
        assertEquals("root v2 has 0 valid signatures by its own root keys, 2 required",
                reason(() -> RootSigner.rotate(v1, s2, List.of(r1, r2))));
    }

    @Test
    void next_skippedVersion_refused() throws Exception {
        TrustRoot v1 = first();
        RootSigner.Spec s3 = RootSigner.spec(v1, NOW).next(NOW, NOW + DAY).next(NOW, NOW + DAY);
        assertTrue(reason(() -> RootSigner.rotate(v1, s3, List.of(r1, r2))).startsWith("root v3 cannot follow root v1"));
    }

    @Test
    void next_revokedReleaseKey_refusedForReleasesAndKeptRevoked() throws Exception {
        TrustRoot v1 = first();
        String id = KeyFiles.keyId(release.getPublic());
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + DAY).revoke(id)
                .withRelease(List.of(release2.getPublic()), 1);
        TrustRoot v2 = v1.next(RootSigner.rotate(v1, s2, List.of(r1, r2)));
        assertEquals("manifest is signed by revoked key " + id,
                reason(() -> v2.verifyRelease(message("m"), List.of(Ed25519Signatures.sign(message("m"), release)))));
        // A later root that silently trusts it again is refused.
        RootSigner.Spec s3 = new RootSigner.Spec(3, NOW, NOW + DAY, s2.rootKeys(), 2, List.of(release.getPublic()), 1, Set.of());
        assertEquals("root v3 drops the revocation of key " + id, reason(() -> RootSigner.rotate(v2, s3, List.of(r1, r2))));
    }

    @Test
    void revoke_lastReleaseKey_refusedAsBelowThreshold() throws Exception {
        TrustRoot v1 = first();
        RootSigner.Spec s2 = RootSigner.spec(v1, NOW).next(NOW, NOW + DAY).revoke(KeyFiles.keyId(release.getPublic()));
        assertEquals("root v2 release role has threshold 1 for 0 keys", reason(() -> RootSigner.rotate(v1, s2, List.of(r1, r2))));
    }

    @Test
    void checkFresh_afterExpiry_refusedAsFreeze() throws Exception {
        TrustRoot root = first();
        root.checkFresh(NOW + DAY);
        assertTrue(reason(() -> root.checkFresh(NOW + 366 * DAY)).endsWith("(freeze)"));
    }

    @Test
    void ofKeys_plainKeys_cannotRotate() throws Exception {
        TrustRoot plain = TrustRoot.ofKeys(List.of(release.getPublic()));
        assertFalse(plain.rotatable());
        plain.checkFresh(Long.MAX_VALUE);
        assertThrows(BundleException.class, () -> plain.next(RootSigner.init(spec(), List.of(r1, r2))));
    }

    @Test
    void installed_garbage_refusedAsMalformed() {
        assertTrue(reason(() -> TrustRoot.installed(new byte[] {0x0a, 0x7f, 1})).startsWith("root metadata is malformed"));
    }
}
