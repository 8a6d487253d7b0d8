package dev.pipit.protocol.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys as PEM files: PKCS#8 "PRIVATE KEY" and X.509 "PUBLIC KEY", as openssl writes them. A
 * signing key file holds both blocks, because the JDK cannot derive an Ed25519 public key from the
 * private one and a signature names its key by the public key's id.
 */
public final class KeyFiles {

    public static final String ALGORITHM = "Ed25519";

    private KeyFiles() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks Ed25519 (JDK 15+ has it)", e);
        }
    }

    /** Writes the signing key file (private and public block), readable by its owner only where possible. */
    public static void writeSigningKey(Path file, KeyPair pair) throws IOException {
        Files.writeString(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                + pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to restrict
        }
    }

    public static void writePublic(Path file, PublicKey key) throws IOException {
        Files.writeString(file, pem("PUBLIC KEY", key.getEncoded()));
    }

    public static KeyPair readSigningKey(Path file) throws IOException {
        try {
            PrivateKey priv = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, "PRIVATE KEY")));
            return new KeyPair(readPublic(file), priv);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return decodePublic(der(file, "PUBLIC KEY"));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** An Ed25519 public key from its X.509 encoding (as root metadata carries it). */
    public static PublicKey decodePublic(byte[] x509) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
    }

    /** Whether a file holds a PEM public key (rather than root metadata). */
    public static boolean isPemPublicKey(byte[] content) {
        return new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII)
                .contains("-----BEGIN PUBLIC KEY-----");
    }

    /** A short, stable name for a public key: the first 16 hex digits of SHA-256 over its encoding. */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(Chunks.sha256(key.getEncoded())).substring(0, 16);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + " is not a PEM file holding a " + type);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + " holds invalid base64: " + ex.getMessage(), ex);
        }
    }
}
