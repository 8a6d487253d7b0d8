package dev.pipit.protocol.bundle;

import com.google.protobuf.CodedInputStream;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Accepts a manifest only if a trusted key signed its exact bytes and its declared sizes are
 * consistent and within limits. Every refusal is a {@link BundleException} whose message is the
 * reason a device reports.
 */
public final class ManifestVerifier {

    /** Manifests nest three levels deep; anything deeper is hostile (protobuf-java CVE-2024-7254). */
    private static final int RECURSION_LIMIT = 10;

    private final Map<String, PublicKey> trusted = new LinkedHashMap<>();
    private final BundleLimits limits;

    public ManifestVerifier(Collection<PublicKey> trustedKeys, BundleLimits limits) {
        if (trustedKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted public key is needed");
        }
        for (PublicKey k : trustedKeys) {
            trusted.put(KeyFiles.keyId(k), k);
        }
        this.limits = limits;
    }

    /** Verifies a serialized SignedManifest and returns the manifest it carries. */
    public Manifest verify(byte[] signedManifest) throws BundleException {
        if (signedManifest.length > limits.maxManifestBytes()) {
            throw new BundleException("manifest of " + signedManifest.length + " bytes exceeds the limit of "
                    + limits.maxManifestBytes());
        }
        SignedManifest signed = parseSigned(signedManifest);
        if (signed.getSignaturesCount() == 0) {
            throw new BundleException("manifest is unsigned");
        }
        byte[] body = signed.getManifest().toByteArray();
        String failure = null;
        for (Signature sig : signed.getSignaturesList()) {
            PublicKey key = trusted.get(sig.getKeyId());
            if (key == null) {
                failure = "manifest is signed by untrusted key " + sig.getKeyId();
            } else if (!KeyFiles.ALGORITHM.equals(sig.getAlgorithm())) {
                failure = "manifest signature uses unsupported algorithm '" + sig.getAlgorithm() + "'";
            } else if (verifies(key, body, sig.getSignature().toByteArray())) {
                return validated(parseManifest(body));
            } else {
                failure = "manifest signature by key " + sig.getKeyId() + " does not verify";
            }
        }
        throw new BundleException(failure);
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
        for (Variant v : m.getVariantsList()) {
            try {
                Topics.segment(v.getId());
            } catch (IllegalArgumentException e) {
                throw new BundleException("variant id is invalid: " + e.getMessage());
            }
            if (!ids.add(v.getId())) {
                throw new BundleException("variant " + v.getId() + " is listed twice");
            }
            if (v.getPayloadBytes() == 0 || v.getPayloadBytes() > limits.maxPayloadBytes()) {
                throw new BundleException("variant " + v.getId() + " declares " + v.getPayloadBytes()
                        + " payload bytes; 1 to " + limits.maxPayloadBytes() + " are allowed");
            }
            if (v.getChunkBytes() == 0 || v.getChunkBytes() > limits.maxChunkBytes()) {
                throw new BundleException("variant " + v.getId() + " declares chunks of " + v.getChunkBytes()
                        + " bytes; 1 to " + limits.maxChunkBytes() + " are allowed");
            }
            int chunks = Chunks.count(v.getPayloadBytes(), v.getChunkBytes());
            if (v.getChunkSha256Count() != chunks) {
                throw new BundleException("variant " + v.getId() + " lists " + v.getChunkSha256Count()
                        + " chunk hashes for " + chunks + " chunks");
            }
            if (v.getSha256().size() != 32 || v.getChunkSha256List().stream().anyMatch(h -> h.size() != 32)) {
                throw new BundleException("variant " + v.getId() + " has a hash that is not 32 bytes");
            }
        }
        return m;
    }

    private Manifest validated(Manifest m) throws BundleException {
        return validate(m, limits);
    }

    private static boolean verifies(PublicKey key, byte[] body, byte[] signature) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(KeyFiles.ALGORITHM);
            s.initVerify(key);
            s.update(body);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static SignedManifest parseSigned(byte[] bytes) throws BundleException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            return SignedManifest.parseFrom(in);
        } catch (java.io.IOException e) {
            throw new BundleException("manifest is malformed: " + e.getMessage());
        }
    }

    static Manifest parseManifest(byte[] bytes) throws BundleException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            return Manifest.parseFrom(in);
        } catch (java.io.IOException e) {
            throw new BundleException("signed manifest body is malformed: " + e.getMessage());
        }
    }
}
