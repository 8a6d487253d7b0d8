package dev.pipit.protocol.bundle;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.trust.Ed25519Signatures;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedManifest;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Signs the exact manifest bytes with Ed25519 (fleet side only: it needs the private keys). */
public final class ManifestSigner {

    private ManifestSigner() {
    }

    public static SignedManifest sign(Manifest manifest, KeyPair key) {
        return sign(manifest, List.of(key), List.of());
    }

    /**
     * Signs with every key (a release role with threshold k needs k of them) and attaches a root chain.
     *
     * @param roots serialized SignedRoot messages, oldest first (see {@code SignedManifest.roots})
     */
    public static SignedManifest sign(Manifest manifest, List<KeyPair> keys, List<byte[]> roots) {
        SignedManifest unsigned = SignedManifest.newBuilder().setManifest(manifest.toByteString()).build();
        return withRoots(addSignatures(unsigned, keys), roots);
    }

    /** Adds signatures by more keys (threshold signing by several key holders); a key signs once. */
    public static SignedManifest addSignatures(SignedManifest signed, List<KeyPair> keys) {
        Map<String, Signature> byKey = new LinkedHashMap<>();
        for (Signature s : signed.getSignaturesList()) {
            byKey.put(s.getKeyId(), s);
        }
        byte[] body = signed.getManifest().toByteArray();
        for (KeyPair k : keys) {
            byKey.put(KeyFiles.keyId(k.getPublic()), Ed25519Signatures.sign(body, k));
        }
        return signed.toBuilder().clearSignatures().addAllSignatures(byKey.values()).build();
    }

    /** Replaces the attached root chain; the signatures stay valid (they cover the manifest bytes only). */
    public static SignedManifest withRoots(SignedManifest signed, List<byte[]> roots) {
        SignedManifest.Builder b = signed.toBuilder().clearRoots();
        for (byte[] r : roots) {
            b.addRoots(ByteString.copyFrom(r));
        }
        return b.build();
    }

    /**
     * Refuses keys the root does not authorise to sign releases (not in its release role, or revoked), and
     * signing under an expired root, which devices would refuse.
     *
     * @return how many more release signatures the threshold needs (0 when these keys suffice)
     */
    public static int requireReleaseKeys(TrustRoot root, List<KeyPair> keys, long nowEpochMillis) throws BundleException {
        root.checkFresh(nowEpochMillis);
        List<String> ids = new ArrayList<>();
        for (KeyPair k : keys) {
            String id = KeyFiles.keyId(k.getPublic());
            if (root.revokedKeyIds().contains(id)) {
                throw new BundleException("key " + id + " is revoked by " + root);
            }
            if (!root.isReleaseKey(id)) {
                throw new BundleException("key " + id + " is not a release key of " + root + "; release keys: "
                        + root.releaseRole().keyIds());
            }
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return Math.max(0, root.releaseRole().threshold() - ids.size());
    }
}
