package dev.pipit.fleet.coap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DTLS credentials made at run time: EC P-256 key pairs for raw public keys, and a small X.509 PKI made
 * with the JDK's keytool (a CA, a server certificate for 127.0.0.1, device certificates whose CN is the
 * device id), all written as the PEM files the agent and the server read.
 */
final class TestCredentials {

    private static final String PASSWORD = "pipit-test";

    /** PEM files of an X.509 setup: {@code ca} (CA certificate), server and device credentials (key + chain). */
    record Pki(Path ca, Path server, Path device) {
    }

    private TestCredentials() {
    }

    static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Writes a private key and its public key (the rpk credentials file). */
    static Path writeKeyPair(Path file, KeyPair pair) throws IOException {
        Files.writeString(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                + pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return file;
    }

    static Path writePublicKey(Path file, KeyPair pair) throws IOException {
        Files.writeString(file, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return file;
    }

    /** A CA, a server certificate naming 127.0.0.1, and a CA-signed device certificate. */
    static Pki pki(Path dir, String deviceId) throws IOException, GeneralSecurityException {
        Path store = dir.resolve("pki.p12");
        keytool(store, "-genkeypair", "-alias", "ca", "-dname", "CN=pipit-test-ca", "-ext", "bc:c");
        keytool(store, "-genkeypair", "-alias", "server", "-dname", "CN=pipit-coap-server", "-ext", "san=ip:127.0.0.1",
                "-signer", "ca");
        keytool(store, "-genkeypair", "-alias", "device", "-dname", "CN=" + deviceId, "-signer", "ca");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, pem("CERTIFICATE", ks.getCertificate("ca").getEncoded()), StandardCharsets.US_ASCII);
        return new Pki(ca, credentials(ks, "server", dir.resolve("server.pem")), credentials(ks, "device",
                dir.resolve("device.pem")));
    }

    private static Path credentials(KeyStore ks, String alias, Path file) throws IOException, GeneralSecurityException {
        StringBuilder s = new StringBuilder(pem("PRIVATE KEY", ((PrivateKey) ks.getKey(alias, PASSWORD.toCharArray())).getEncoded()));
        for (Certificate c : ks.getCertificateChain(alias)) {
            s.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(file, s, StandardCharsets.US_ASCII);
        return file;
    }

    private static void keytool(Path store, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD,
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-noprompt"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
