package dev.pipit.protocol.bundle;

import com.google.protobuf.CodedInputStream;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Accepts a manifest only if a threshold of the current root's release keys signed its exact bytes (none
 * of them revoked) and its declared sizes are consistent and within limits. Roots attached to a
 * manifest rotate the trusted root first (each must be signed by the previous root's threshold and its
 * own) and, when a file is given, the newest is kept there so a restart does not forget a revocation.
 * Every refusal is a {@link BundleException} whose message is the reason a device reports.
 *
 * <p>Rollback (an older version replayed) is refused by the caller, which persists the newest version it
 * accepted per model (the agent's {@code state.properties}); {@link #verifyUpdate} refuses expired roots
 * and manifests (freeze). Thread-safe.
 */
public final class ManifestVerifier {

    /** Manifests nest three levels deep; anything deeper is hostile (protobuf-java CVE-2024-7254). */
    private static final int RECURSION_LIMIT = 10;
    /** Roots one manifest may carry: a chain longer than this is not a fleet's history. */
    public static final int MAX_ROOTS = 16;

    private final BundleLimits limits;
    private final Path rootFile;
    private TrustRoot root;

    /** Compatibility: any one of these keys signs a release; attached roots are ignored. */
    public ManifestVerifier(Collection<PublicKey> trustedKeys, BundleLimits limits) {
        this(TrustRoot.ofKeys(trustedKeys), limits, null);
    }

    /** Rotations are kept in memory only. */
    public ManifestVerifier(TrustRoot root, BundleLimits limits) {
        this(root, limits, null);
    }

    private ManifestVerifier(TrustRoot root, BundleLimits limits, Path rootFile) {
        this.root = root;
        this.limits = limits;
        this.rootFile = rootFile;
    }

    /**
     * A verifier for a device.
     *
     * @param trustFiles one root metadata file ({@code .json} or binary SignedRoot), or Ed25519 PEM public keys
     * @param rootFile where the newest rotated root is kept (e.g. in the state directory), or null. If it holds
     *     a newer root than the installed one, that root is trusted: the device verified it when it arrived.
     * @throws IOException naming the file that cannot be read or trusted
     */
    public static ManifestVerifier open(List<Path> trustFiles, Path rootFile, BundleLimits limits) throws IOException {
        TrustRoot installed = installed(trustFiles);
        if (rootFile != null && installed.rotatable() && Files.exists(rootFile)) {
            TrustRoot kept;
            try {
                kept = TrustRoot.installed(RootFiles.read(rootFile));
            } catch (BundleException e) {
                // Failing closed: falling back to the installed root could trust keys revoked since.
                throw new IOException("kept root " + rootFile + " cannot be trusted (" + e.getMessage() + "); delete it to "
                        + "fall back to the installed " + installed, e);
            }
            if (kept.version() > installed.version()) {
                installed = kept;
            }
        }
        return new ManifestVerifier(installed, limits, rootFile);
    }

    private static TrustRoot installed(List<Path> trustFiles) throws IOException {
        if (trustFiles.isEmpty()) {
            throw new IOException("at least one trusted public key or root metadata file is needed");
        }
        List<PublicKey> keys = new ArrayList<>();
        byte[] root = null;
        for (Path p : trustFiles) {
            byte[] content;
            try {
                content = Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                throw new IOException("trusted key " + p + " does not exist", e);
            }
            if (KeyFiles.isPemPublicKey(content)) {
                keys.add(KeyFiles.readPublic(p));
            } else if (trustFiles.size() == 1) {
                root = RootFiles.read(p);
            } else {
                throw new IOException(p + " is not a PEM public key; give either one root metadata file or public keys");
            }
        }
        if (root == null) {
            return TrustRoot.ofKeys(keys);
        }
        try {
            return TrustRoot.installed(root);
        } catch (BundleException e) {
            throw new IOException(trustFiles.get(0) + " is not trusted root metadata: " + e.getMessage(), e);
        }
    }

    /** The root trusted now. */
    public synchronized TrustRoot root() {
        return root;
    }

    /**
     * Verifies a serialized SignedManifest and returns the manifest it carries: signatures, structure and
     * sizes, after applying the roots it carries. No clock is involved (a stored release is re-verified
     * with this on restart, however old).
     */
    public synchronized Manifest verify(byte[] signedManifest) throws BundleException {
        if (signedManifest.length > limits.maxManifestBytes()) {
            throw new BundleException("manifest of " + signedManifest.length + " bytes exceeds the limit of "
                    + limits.maxManifestBytes());
        }
        SignedManifest signed = parseSigned(signedManifest);
        rotate(signed);
        byte[] body = signed.getManifest().toByteArray();
        root.verifyRelease(body, signed.getSignaturesList());
        return validate(parseManifest(body), limits);
    }

    /**
     * {@link #verify} for a release offered as an update: also refuses it if the trusted root or the
     * manifest has expired (freeze).
     */
    public synchronized Manifest verifyUpdate(byte[] signedManifest, long nowEpochMillis) throws BundleException {
        Manifest m = verify(signedManifest);
        root.checkFresh(nowEpochMillis);
        if (m.getExpiresEpochMillis() != 0 && nowEpochMillis > m.getExpiresEpochMillis()) {
            throw new BundleException("manifest of " + m.getModelId() + " v" + m.getVersion() + " expired at "
                    + Instant.ofEpochMilli(m.getExpiresEpochMillis()) + " (freeze)");
        }
        return m;
    }

    /** Applies the attached roots newer than the current one, in order, and keeps the newest. */
    private void rotate(SignedManifest signed) throws BundleException {
        if (signed.getRootsCount() == 0 || !root.rotatable()) {
            return;
        }
        if (signed.getRootsCount() > MAX_ROOTS) {
            throw new BundleException("manifest carries " + signed.getRootsCount() + " roots; at most " + MAX_ROOTS
                    + " are examined");
        }
        TrustRoot next = root;
        for (int i = 0; i < signed.getRootsCount(); i++) {
            byte[] r = signed.getRoots(i).toByteArray();
            try {
                if (TrustRoot.claimedVersion(r) > next.version()) {
                    next = next.next(r);
                }
            } catch (BundleException e) {
                throw new BundleException("attached root refused: " + e.getMessage());
            }
        }
        if (next == root) {
            return;
        }
        if (rootFile != null) {
            try {
                RootFiles.write(rootFile, next.signedRoot());
            } catch (IOException e) {
                throw new BundleException("cannot keep root v" + next.version() + " in " + rootFile + ": " + e.getMessage());
            }
        }
        root = next;
    }

    /** Checks a manifest's declared structure and sizes, signed or not (inspect uses this too). */
    public static Manifest validate(Manifest m, BundleLimits limits) throws BundleException {
        try {
            Topics.segment(m.getModelId());
        } catch (IllegalArgumentException e) {
            throw new BundleException("manifest model id is invalid: " + e.getMessage());
        }
        if (m.getVersion() == 0) {
            throw new BundleException("manifest version must be positive");
        }
        if (m.getVariantsCount() == 0 || m.getVariantsCount() > limits.maxVariants()) {
            throw new BundleException("manifest has " + m.getVariantsCount() + " variants; 1 to "
                    + limits.maxVariants() + " are allowed");
        }
        Set<String> ids = new HashSet<>();
        long total = 0;
        for (Variant v : m.getVariantsList()) {
            try {
                Topics.segment(v.getId());
            } catch (IllegalArgumentException e) {
                throw new BundleException("variant id is invalid: " + e.getMessage());
            }
            if (!ids.add(v.getId())) {
                throw new BundleException("variant " + v.getId() + " is listed twice");
            }
            // uint64 fields arrive as signed longs: a "huge" size is negative here
            if (v.getPayloadBytes() <= 0 || v.getPayloadBytes() > limits.maxPayloadBytes()) {
                throw new BundleException("variant " + v.getId() + " declares " + Long.toUnsignedString(v.getPayloadBytes())
                        + " payload bytes; 1 to " + limits.maxPayloadBytes() + " are allowed");
            }
            total += v.getPayloadBytes();
            if (v.getChunkBytes() <= 0 || v.getChunkBytes() > limits.maxChunkBytes()) {
                throw new BundleException("variant " + v.getId() + " declares chunks of "
                        + Integer.toUnsignedString(v.getChunkBytes()) + " bytes; 1 to " + limits.maxChunkBytes()
                        + " are allowed");
            }
            long chunks = (v.getPayloadBytes() + v.getChunkBytes() - 1) / v.getChunkBytes();
            if (chunks > limits.maxChunks()) {
                throw new BundleException("variant " + v.getId() + " needs " + chunks + " chunks; at most "
                        + limits.maxChunks() + " are allowed");
            }
            if (v.getChunkSha256Count() != chunks) {
                throw new BundleException("variant " + v.getId() + " lists " + v.getChunkSha256Count()
                        + " chunk hashes for " + chunks + " chunks");
            }
            if (v.getSha256().size() != 32 || v.getChunkSha256List().stream().anyMatch(h -> h.size() != 32)) {
                throw new BundleException("variant " + v.getId() + " has a hash that is not 32 bytes");
            }
        }
        if (total > limits.maxTotalPayloadBytes()) {
            throw new BundleException("manifest declares " + total + " payload bytes in all; at most "
                    + limits.maxTotalPayloadBytes() + " are allowed");
        }
        return m;
    }

    static SignedManifest parseSigned(byte[] bytes) throws BundleException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            return SignedManifest.parseFrom(in);
        } catch (IOException e) {
            throw new BundleException("manifest is malformed: " + e.getMessage());
        }
    }

    static Manifest parseManifest(byte[] bytes) throws BundleException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            return Manifest.parseFrom(in);
        } catch (IOException e) {
            throw new BundleException("signed manifest body is malformed: " + e.getMessage());
        }
    }
}
