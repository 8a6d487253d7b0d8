package dev.pipit.protocol.bundle;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Signature;
import dev.pipit.protocol.v1.SignedManifest;
import java.security.GeneralSecurityException;
import java.security.KeyPair;

/** Signs the exact manifest bytes with Ed25519 (fleet side only: it needs the private key). */
public final class ManifestSigner {

    private ManifestSigner() {
    }

    public static SignedManifest sign(Manifest manifest, KeyPair key) {
        byte[] bytes = manifest.toByteArray();
        try {
            java.security.Signature s = java.security.Signature.getInstance(KeyFiles.ALGORITHM);
            s.initSign(key.getPrivate());
            s.update(bytes);
            return SignedManifest.newBuilder()
                    .setManifest(ByteString.copyFrom(bytes))
                    .addSignatures(Signature.newBuilder()
                            .setKeyId(KeyFiles.keyId(key.getPublic()))
                            .setAlgorithm(KeyFiles.ALGORITHM)
                            .setSignature(ByteString.copyFrom(s.sign())))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }
}
