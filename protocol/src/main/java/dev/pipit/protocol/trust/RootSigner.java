package dev.pipit.protocol.trust;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.PublicKeyDef;
import dev.pipit.protocol.v1.RootMetadata;
import dev.pipit.protocol.v1.SignedRoot;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes root metadata (fleet side only: signing needs private keys). Every result is checked the way a
 * device checks it before it is returned, so a root that devices would refuse is never written.
 */
public final class RootSigner {

    private RootSigner() {
    }

    /** The content of a root: its roles as public keys, thresholds, dates and revocations. */
    public record Spec(long version, long createdEpochMillis, long expiresEpochMillis, List<PublicKey> rootKeys,
                       int rootThreshold, List<PublicKey> releaseKeys, int releaseThreshold, Set<String> revokedKeyIds) {

        public Spec {
            rootKeys = List.copyOf(rootKeys);
            releaseKeys = List.copyOf(releaseKeys);
            revokedKeyIds = Set.copyOf(new LinkedHashSet<>(revokedKeyIds));
        }

        /** The same roles at the next version, with new dates (a rotation that only renews the expiry). */
        public Spec next(long created, long expires) {
            return new Spec(version + 1, created, expires, rootKeys, rootThreshold, releaseKeys, releaseThreshold, revokedKeyIds);
        }

        public Spec withRoot(List<PublicKey> keys, int threshold) {
            return new Spec(version, createdEpochMillis, expiresEpochMillis, keys, threshold, releaseKeys, releaseThreshold,
                    revokedKeyIds);
        }

        public Spec withRelease(List<PublicKey> keys, int threshold) {
            return new Spec(version, createdEpochMillis, expiresEpochMillis, rootKeys, rootThreshold, keys, threshold,
                    revokedKeyIds);
        }

        /** Removes a key from both roles and lists it as revoked for good. */
        public Spec revoke(String keyId) {
            Set<String> r = new LinkedHashSet<>(revokedKeyIds);
            r.add(keyId);
            return new Spec(version, createdEpochMillis, expiresEpochMillis, without(rootKeys, keyId), rootThreshold,
                    without(releaseKeys, keyId), releaseThreshold, r);
        }

        private static List<PublicKey> without(List<PublicKey> keys, String id) {
            return keys.stream().filter(k -> !KeyFiles.keyId(k).equals(id)).toList();
        }
    }

    /** The roles of a verified root, to edit into the next one. */
    public static Spec spec(TrustRoot root, long createdEpochMillis) {
        if (!root.rotatable()) {
            throw new IllegalArgumentException("plain public keys are not root metadata");
        }
        return new Spec(root.version(), createdEpochMillis, root.expiresEpochMillis(), keysOf(root, root.rootRole()),
                root.rootRole().threshold(), keysOf(root, root.releaseRole()), root.releaseRole().threshold(),
                root.revokedKeyIds());
    }

    /** The first root: signed by (at least a threshold of) its own root keys. */
    public static byte[] init(Spec spec, Collection<KeyPair> signers) throws BundleException {
        if (spec.version() != 1) {
            throw new IllegalArgumentException("a first root has version 1");
        }
        byte[] signed = sign(metadata(spec), signers);
        TrustRoot.installed(signed);
        return signed;
    }

    /**
     * The root after {@code previous}: signed by the given keys, which must include a threshold of the
     * previous root keys and a threshold of the new ones.
     */
    public static byte[] rotate(TrustRoot previous, Spec spec, Collection<KeyPair> signers) throws BundleException {
        byte[] signed = sign(metadata(spec), signers);
        previous.next(signed);
        return signed;
    }

    static RootMetadata metadata(Spec s) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (PublicKey k : s.rootKeys()) {
            keys.put(KeyFiles.keyId(k), k);
        }
        for (PublicKey k : s.releaseKeys()) {
            keys.put(KeyFiles.keyId(k), k);
        }
        RootMetadata.Builder m = RootMetadata.newBuilder()
                .setType(TrustRoot.TYPE)
                .setVersion(s.version())
                .setCreatedEpochMillis(s.createdEpochMillis())
                .setExpiresEpochMillis(s.expiresEpochMillis())
                .addAllRevokedKeyIds(s.revokedKeyIds().stream().sorted().toList());
        keys.forEach((id, k) -> m.addKeys(PublicKeyDef.newBuilder().setKeyId(id).setAlgorithm(KeyFiles.ALGORITHM)
                .setX509(ByteString.copyFrom(k.getEncoded()))));
        m.getRootBuilder().addAllKeyIds(s.rootKeys().stream().map(KeyFiles::keyId).distinct().toList())
                .setThreshold(s.rootThreshold());
        m.getReleaseBuilder().addAllKeyIds(s.releaseKeys().stream().map(KeyFiles::keyId).distinct().toList())
                .setThreshold(s.releaseThreshold());
        return m.build();
    }

    private static byte[] sign(RootMetadata m, Collection<KeyPair> signers) {
        byte[] bytes = m.toByteArray();
        byte[] message = TrustRoot.signedBytes(bytes);
        SignedRoot.Builder s = SignedRoot.newBuilder().setRoot(ByteString.copyFrom(bytes));
        Set<String> seen = new LinkedHashSet<>();
        for (KeyPair k : signers) {
            if (seen.add(KeyFiles.keyId(k.getPublic()))) {
                s.addSignatures(Ed25519Signatures.sign(message, k));
            }
        }
        return s.build().toByteArray();
    }

    private static List<PublicKey> keysOf(TrustRoot root, TrustRoot.Role role) {
        return role.keyIds().stream().map(id -> root.keys().get(id)).toList();
    }
}
