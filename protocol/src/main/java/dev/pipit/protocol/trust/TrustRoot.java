package dev.pipit.protocol.trust;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.PublicKeyDef;
import dev.pipit.protocol.v1.RootMetadata;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verified root of trust (TUF's root role): the keys that may sign the next root and the release keys
 * that may sign manifests, each with a threshold, a version and an expiry. Immutable; a rotation yields
 * a new instance via {@link #next}. A root made of plain public keys ({@link #ofKeys}) is the
 * compatibility mode: any one of them signs a release, and it can never rotate.
 */
public final class TrustRoot {

    public static final String TYPE = "pipit-root";
    /** Domain separation: a root signature is over this prefix and the root bytes, so it never verifies a manifest. */
    static final byte[] DOMAIN = "pipit-root-v1\0".getBytes(StandardCharsets.US_ASCII);
    /** Signatures looked at per document: each costs an Ed25519 verification, so bound the work an input can cause. */
    public static final int MAX_SIGNATURES = 16;
    static final int MAX_KEYS = 64;
    static final int MAX_REVOKED = 1024;
    private static final int RECURSION_LIMIT = 10;

    /** A role: the key ids that may sign and how many distinct ones must. */
    public record Role(List<String> keyIds, int threshold) {

        public Role {
            keyIds = List.copyOf(keyIds);
        }
    }

    private final long version;
    private final long expiresEpochMillis;
    private final Map<String, PublicKey> keys;
    private final Role root;
    private final Role release;
    private final Set<String> revoked;
    private final byte[] signedRoot;

    private TrustRoot(long version, long expiresEpochMillis, Map<String, PublicKey> keys, Role root, Role release,
                      Set<String> revoked, byte[] signedRoot) {
        this.version = version;
        this.expiresEpochMillis = expiresEpochMillis;
        this.keys = Map.copyOf(keys);
        this.root = root;
        this.release = release;
        this.revoked = Set.copyOf(revoked);
        this.signedRoot = signedRoot;
    }

    /** Compatibility: plain release keys, threshold 1, version 0, no expiry, no rotation. */
    public static TrustRoot ofKeys(Collection<PublicKey> releaseKeys) {
        if (releaseKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted public key is needed");
        }
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (PublicKey k : releaseKeys) {
            byId.put(KeyFiles.keyId(k), k);
        }
        return new TrustRoot(0, 0, byId, new Role(List.of(), 0), new Role(List.copyOf(byId.keySet()), 1), Set.of(), null);
    }

    /**
     * The root an operator installed on the device: well-formed and signed by a threshold of its own root
     * keys (which catches a damaged or hand-edited file). Its expiry is checked when updates arrive, not here:
     * an expired root still lets the device serve what it already verified.
     */
    public static TrustRoot installed(byte[] signedRoot) throws BundleException {
        SignedRoot s = parseSigned(signedRoot);
        TrustRoot r = of(s, signedRoot);
        r.requireThreshold("its own root keys", r.root, s);
        return r;
    }

    /**
     * Rotation: the root that follows this one, trusted only if it is version + 1, a threshold of this
     * root's root keys and a threshold of its own root keys signed it, and it keeps every revocation.
     */
    public TrustRoot next(byte[] signedRoot) throws BundleException {
        if (!rotatable()) {
            throw new BundleException("the device trusts plain public keys, which cannot rotate to root metadata");
        }
        SignedRoot s = parseSigned(signedRoot);
        TrustRoot n = of(s, signedRoot);
        if (n.version != version + 1) {
            throw new BundleException("root v" + n.version + " cannot follow root v" + version + " (each rotation is "
                    + "version + 1; attach the missing roots)");
        }
        requireThreshold("root v" + version + "'s root keys", root, s);
        n.requireThreshold("its own root keys", n.root, s);
        for (String id : revoked) {
            if (!n.revoked.contains(id)) {
                throw new BundleException("root v" + n.version + " drops the revocation of key " + id);
            }
        }
        return n;
    }

    /** The version a serialized SignedRoot claims, before anything is verified (to skip roots already held). */
    public static long claimedVersion(byte[] signedRoot) throws BundleException {
        return metadata(parseSigned(signedRoot)).getVersion();
    }

    /** Refuses new releases under an expired root (freeze attack: an attacker withholding newer metadata). */
    public void checkFresh(long nowEpochMillis) throws BundleException {
        if (expiresEpochMillis != 0 && nowEpochMillis > expiresEpochMillis) {
            throw new BundleException("root metadata v" + version + " expired at " + Instant.ofEpochMilli(expiresEpochMillis)
                    + "; no release is accepted until a newer root arrives (freeze)");
        }
    }

    /**
     * Accepts {@code message} if a threshold of distinct release keys signed it; otherwise the reason,
     * naming the revoked, unknown or failing key.
     */
    public void verifyRelease(byte[] message, List<Signature> signatures) throws BundleException {
        if (signatures.isEmpty()) {
            throw new BundleException("manifest is unsigned");
        }
        if (signatures.size() > MAX_SIGNATURES) {
            throw new BundleException("manifest carries " + signatures.size() + " signatures; at most " + MAX_SIGNATURES
                    + " are examined");
        }
        Set<String> valid = new LinkedHashSet<>();
        String failure = null;
        for (Signature sig : signatures) {
            String id = sig.getKeyId();
            if (revoked.contains(id)) {
                failure = "manifest is signed by revoked key " + id;
            } else if (!release.keyIds().contains(id)) {
                failure = keys.containsKey(id) ? "manifest is signed by key " + id + ", which is not a release key"
                        : "manifest is signed by untrusted key " + id;
            } else if (!KeyFiles.ALGORITHM.equals(sig.getAlgorithm())) {
                failure = "manifest signature uses unsupported algorithm '" + sig.getAlgorithm() + "'";
            } else if (Ed25519Signatures.verifies(keys.get(id), message, sig.getSignature().toByteArray())) {
                valid.add(id);
            } else {
                failure = "manifest signature by key " + id + " does not verify";
            }
        }
        if (valid.size() >= release.threshold()) {
            return;
        }
        if (release.threshold() == 1) {
            throw new BundleException(failure);
        }
        throw new BundleException("manifest has " + valid.size() + " valid release signature" + (valid.size() == 1 ? "" : "s")
                + ", " + release.threshold() + " required" + (failure == null ? "" : "; " + failure));
    }

    public long version() {
        return version;
    }

    /** 0: never (plain keys). */
    public long expiresEpochMillis() {
        return expiresEpochMillis;
    }

    /** Root metadata can rotate; plain keys cannot. */
    public boolean rotatable() {
        return signedRoot != null;
    }

    public Role rootRole() {
        return root;
    }

    public Role releaseRole() {
        return release;
    }

    public Set<String> revokedKeyIds() {
        return revoked;
    }

    /** Every key the roles name, by id. */
    public Map<String, PublicKey> keys() {
        return keys;
    }

    public boolean isReleaseKey(String keyId) {
        return release.keyIds().contains(keyId);
    }

    /** The serialized SignedRoot this was verified from; null for plain keys. */
    public byte[] signedRoot() {
        return signedRoot == null ? null : signedRoot.clone();
    }

    @Override
    public String toString() {
        if (!rotatable()) {
            return "plain keys " + release.keyIds();
        }
        return "root v" + version + " (root keys " + root.threshold() + " of " + root.keyIds().size() + ", release keys "
                + release.threshold() + " of " + release.keyIds().size() + ", expires " + Instant.ofEpochMilli(expiresEpochMillis)
                + (revoked.isEmpty() ? "" : ", " + revoked.size() + " revoked") + ")";
    }

    /** What a root signature covers. */
    static byte[] signedBytes(byte[] rootBytes) {
        byte[] out = new byte[DOMAIN.length + rootBytes.length];
        System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
        System.arraycopy(rootBytes, 0, out, DOMAIN.length, rootBytes.length);
        return out;
    }

    private void requireThreshold(String whose, Role role, SignedRoot s) throws BundleException {
        if (s.getSignaturesCount() > MAX_SIGNATURES) {
            throw new BundleException("root carries " + s.getSignaturesCount() + " signatures; at most " + MAX_SIGNATURES
                    + " are examined");
        }
        byte[] message = signedBytes(s.getRoot().toByteArray());
        Set<String> valid = new LinkedHashSet<>();
        for (Signature sig : s.getSignaturesList()) {
            PublicKey key = keys.get(sig.getKeyId());
            if (key != null && role.keyIds().contains(sig.getKeyId()) && KeyFiles.ALGORITHM.equals(sig.getAlgorithm())
                    && Ed25519Signatures.verifies(key, message, sig.getSignature().toByteArray())) {
                valid.add(sig.getKeyId());
            }
        }
        if (valid.size() < role.threshold()) {
            throw new BundleException("root v" + claimed(s) + " has " + valid.size() + " valid signature"
                    + (valid.size() == 1 ? "" : "s") + " by " + whose + ", " + role.threshold() + " required");
        }
    }

    private static long claimed(SignedRoot s) {
        try {
            return metadata(s).getVersion();
        } catch (BundleException e) {
            return 0;
        }
    }

    private static SignedRoot parseSigned(byte[] bytes) throws BundleException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            SignedRoot s = SignedRoot.parseFrom(in);
            if (s.getRoot().isEmpty()) {
                throw new BundleException("root metadata is empty");
            }
            return s;
        } catch (IOException e) {
            throw new BundleException("root metadata is malformed: " + e.getMessage());
        }
    }

    private static RootMetadata metadata(SignedRoot s) throws BundleException {
        try {
            CodedInputStream in = s.getRoot().newCodedInput();
            in.setRecursionLimit(RECURSION_LIMIT);
            return RootMetadata.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new BundleException("root metadata is malformed: " + e.getMessage());
        } catch (IOException e) {
            throw new BundleException("root metadata is malformed: " + e.getMessage());
        }
    }

    /** Checks the structure; signatures are checked by the callers, who know which role must have signed. */
    private static TrustRoot of(SignedRoot s, byte[] signedRoot) throws BundleException {
        RootMetadata m = metadata(s);
        String v = "root v" + m.getVersion();
        if (!TYPE.equals(m.getType())) {
            throw new BundleException("root metadata has type '" + m.getType() + "', not '" + TYPE + "'");
        }
        if (m.getVersion() < 1) {
            throw new BundleException("root metadata version must be positive");
        }
        if (m.getExpiresEpochMillis() <= 0) {
            throw new BundleException(v + " has no expiry");
        }
        if (m.getKeysCount() > MAX_KEYS || m.getRevokedKeyIdsCount() > MAX_REVOKED) {
            throw new BundleException(v + " lists " + m.getKeysCount() + " keys and " + m.getRevokedKeyIdsCount()
                    + " revocations; at most " + MAX_KEYS + " and " + MAX_REVOKED + " are allowed");
        }
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (PublicKeyDef k : m.getKeysList()) {
            if (!KeyFiles.ALGORITHM.equals(k.getAlgorithm())) {
                throw new BundleException(v + " key " + k.getKeyId() + " uses unsupported algorithm '" + k.getAlgorithm() + "'");
            }
            PublicKey key;
            try {
                key = KeyFiles.decodePublic(k.getX509().toByteArray());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new BundleException(v + " key " + k.getKeyId() + " is not an Ed25519 public key");
            }
            if (!KeyFiles.keyId(key).equals(k.getKeyId())) {
                throw new BundleException(v + " key " + k.getKeyId() + " has the id " + KeyFiles.keyId(key));
            }
            if (keys.put(k.getKeyId(), key) != null) {
                throw new BundleException(v + " lists key " + k.getKeyId() + " twice");
            }
        }
        Set<String> revoked = new LinkedHashSet<>(m.getRevokedKeyIdsList());
        Role root = role(v, "root", m.getRoot().getKeyIdsList(), m.getRoot().getThreshold(), keys, revoked);
        Role release = role(v, "release", m.getRelease().getKeyIdsList(), m.getRelease().getThreshold(), keys, revoked);
        return new TrustRoot(m.getVersion(), m.getExpiresEpochMillis(), keys, root, release, revoked, signedRoot.clone());
    }

    private static Role role(String v, String name, List<String> ids, int threshold, Map<String, PublicKey> keys,
                             Set<String> revoked) throws BundleException {
        Set<String> distinct = new LinkedHashSet<>(ids);
        if (distinct.size() != ids.size()) {
            throw new BundleException(v + " " + name + " role lists a key twice");
        }
        if (threshold < 1 || threshold > distinct.size()) {
            throw new BundleException(v + " " + name + " role has threshold " + Integer.toUnsignedString(threshold)
                    + " for " + distinct.size() + " keys");
        }
        for (String id : distinct) {
            if (!keys.containsKey(id)) {
                throw new BundleException(v + " " + name + " role names key " + id + ", which it does not list");
            }
            if (revoked.contains(id)) {
                throw new BundleException(v + " " + name + " role names revoked key " + id);
            }
        }
        return new Role(List.copyOf(distinct), threshold);
    }
}
