package dev.pipit.protocol.testing;

import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with the system's {@code openssl} at test time: a CA, a broker
 * certificate for 127.0.0.1/localhost, and client certificates whose common name is the MQTT user
 * (Mosquitto's {@code use_identity_as_username}). EC P-256 keys, PKCS#8 PEM, valid for two days.
 */
public final class TestPki {

    private final Path dir;
    private final Path ca;
    private final Path caKey;

    private TestPki(Path dir, Path ca, Path caKey) {
        this.dir = dir;
        this.ca = ca;
        this.caKey = caKey;
    }

    /** A new CA (named {@code name}) and its broker certificate in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve(name + "-ca.pem");
        Path caKey = dir.resolve(name + "-ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=" + name + "-test-ca");
        TestPki pki = new TestPki(dir, ca, caKey);
        pki.issue(name + "-broker", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        return pki;
    }

    public Path caFile() {
        return ca;
    }

    public Path brokerCert() {
        return dir.resolve(name(ca) + "-broker.pem");
    }

    public Path brokerKey() {
        return dir.resolve(name(ca) + "-broker.key");
    }

    /** A client certificate with {@code commonName}, issued by this CA; trusts this CA for the broker. */
    public TlsSettings client(String commonName) throws IOException, InterruptedException {
        issue(commonName, "extendedKeyUsage=clientAuth\n");
        return new TlsSettings(ca, dir.resolve(commonName + ".pem"), dir.resolve(commonName + ".key"));
    }

    /** TLS without a client certificate. */
    public TlsSettings anonymous() {
        return new TlsSettings(ca, null, null);
    }

    private void issue(String commonName, String extensions) throws IOException, InterruptedException {
        Path key = dir.resolve(commonName + ".key");
        Path csr = dir.resolve(commonName + ".csr");
        Path ext = dir.resolve(commonName + ".ext");
        Files.writeString(ext, extensions);
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", "/CN=" + commonName);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", dir.resolve(commonName + ".pem").toString(), "-days", "2", "-extfile", ext.toString());
    }

    private static String name(Path caFile) {
        String f = caFile.getFileName().toString();
        return f.substring(0, f.length() - "-ca.pem".length());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
