package dev.pipit.protocol.trust;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.Signature;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;

/** Ed25519 signatures as they travel: key id, algorithm name, signature bytes. */
public final class Ed25519Signatures {

    private Ed25519Signatures() {
    }

    /** Signs {@code message} (fleet side only: it needs the private key). */
    public static Signature sign(byte[] message, KeyPair key) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(KeyFiles.ALGORITHM);
            s.initSign(key.getPrivate());
            s.update(message);
            return Signature.newBuilder()
                    .setKeyId(KeyFiles.keyId(key.getPublic()))
                    .setAlgorithm(KeyFiles.ALGORITHM)
                    .setSignature(ByteString.copyFrom(s.sign()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** False for a wrong signature and for one that is not even well-formed. */
    public static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(KeyFiles.ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // the JDK throws for some malformed signatures instead of returning false
        }
    }
}
