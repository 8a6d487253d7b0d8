package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestVerifierTest {

    private final KeyPair trusted = KeyFiles.generate();
    private final ManifestVerifier verifier = new ManifestVerifier(List.of(trusted.getPublic()), BundleLimits.defaults());

    private static Manifest manifest(long version) {
        return Manifest.newBuilder().setModelId("fmnist").setVersion(version)
                .addVariants(BundleFileTest.variant("int8", BundleFileTest.random(300, 3), 128)).build();
    }

    private String reason(byte[] signed) {
        return assertThrows(BundleException.class, () -> verifier.verify(signed)).getMessage();
    }

    @Test
    void verify_trustedSignature_returnsManifest() throws Exception {
        assertEquals(manifest(4), verifier.verify(ManifestSigner.sign(manifest(4), trusted).toByteArray()));
    }

    @Test
    void verify_tamperedManifestBytes_rejected() {
        SignedManifest s = ManifestSigner.sign(manifest(4), trusted);
        byte[] body = s.getManifest().toByteArray();
        body[body.length - 1] ^= 1;
        String why = reason(s.toBuilder().setManifest(ByteString.copyFrom(body)).build().toByteArray());
        assertTrue(why.contains("does not verify"), why);
    }

    @Test
    void verify_tamperedSignature_rejected() {
        SignedManifest s = ManifestSigner.sign(manifest(4), trusted);
        byte[] sig = s.getSignatures(0).getSignature().toByteArray();
        sig[0] ^= 1;
        String why = reason(s.toBuilder().setSignatures(0, s.getSignatures(0).toBuilder()
                .setSignature(ByteString.copyFrom(sig))).build().toByteArray());
        assertTrue(why.contains("does not verify"), why);
    }

    @Test
    void verify_unsigned_rejected() {
        String why = reason(SignedManifest.newBuilder().setManifest(manifest(4).toByteString()).build().toByteArray());
        assertTrue(why.contains("unsigned"), why);
    }

    @Test
    void verify_untrustedKey_rejected() {
        String why = reason(ManifestSigner.sign(manifest(4), KeyFiles.generate()).toByteArray());
        assertTrue(why.contains("untrusted key"), why);
    }

    @Test
    void verify_garbage_rejectedAsMalformed() {
        String why = reason(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        assertTrue(why.contains("malformed"), why);
    }

    @Test
    void verify_chunkHashCountMismatch_rejected() {
        Manifest m = manifest(4);
        Manifest bad = m.toBuilder().setVariants(0, m.getVariants(0).toBuilder().addChunkSha256(m.getVariants(0).getChunkSha256(0))).build();
        String why = reason(ManifestSigner.sign(bad, trusted).toByteArray());
        assertTrue(why.contains("chunk hashes"), why);
    }

    @Test
    void verify_oversizedPayloadDeclared_rejected() {
        Manifest m = manifest(4);
        Manifest bad = m.toBuilder().setVariants(0, m.getVariants(0).toBuilder().setPayloadBytes(1L << 40)).build();
        String why = reason(ManifestSigner.sign(bad, trusted).toByteArray());
        assertTrue(why.contains("payload bytes"), why);
    }

    @Test
    void readSigningKey_writtenKey_signsVerifiably(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("signing.key");
        KeyFiles.writeSigningKey(file, trusted);
        KeyPair read = KeyFiles.readSigningKey(file);
        assertEquals(manifest(5), verifier.verify(ManifestSigner.sign(manifest(5), read).toByteArray()));
        assertEquals(KeyFiles.keyId(trusted.getPublic()), KeyFiles.keyId(KeyFiles.readPublic(file)));
    }
}
