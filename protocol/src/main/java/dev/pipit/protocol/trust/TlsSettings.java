package dev.pipit.protocol.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * MQTT over TLS, optionally with a client certificate (mutual TLS): the broker's CA, and this client's
 * certificate chain and private key, all PEM as openssl writes them. The key must be unencrypted PKCS#8
 * ("BEGIN PRIVATE KEY", what {@code openssl genpkey} and {@code openssl req -newkey} write); EC, RSA and
 * Ed25519 keys work. The files are loaded into an in-memory PKCS#12 key store, as a keystore file would be.
 *
 * @param caFile PEM certificates of the CA(s) the broker's certificate must chain to
 * @param certFile PEM client certificate (chain), or null for server-authenticated TLS only
 * @param keyFile PEM private key of {@code certFile}, or null
 */
public record TlsSettings(Path caFile, Path certFile, Path keyFile) {

    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    public TlsSettings {
        if (caFile == null) {
            throw new IllegalArgumentException("TLS needs the broker's CA certificate (--tls-ca)");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate (--tls-cert) needs its private key (--tls-key), and back");
        }
    }

    /**
     * A socket factory for Paho's {@code MqttConnectionOptions.setSocketFactory} (with an {@code ssl://} URL): TLS
     * sockets, with TCP_NODELAY ({@link NoDelaySocketFactory}).
     */
    public SSLSocketFactory socketFactory() throws IOException {
        return NoDelaySocketFactory.tls(context().getSocketFactory());
    }

    public SSLContext context() throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(caFile)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (certFile != null) {
                char[] password = Long.toHexString(new SecureRandom().nextLong()).toCharArray();
                KeyStore identity = KeyStore.getInstance("PKCS12");
                identity.load(null, null);
                List<Certificate> chain = certificates(certFile);
                identity.setKeyEntry("client", privateKey(keyFile), password, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(identity, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS from " + this + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file) throws IOException {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(read(file)));
            if (certs.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return new ArrayList<>(certs);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        for (String legacy : List.of("EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY")) {
            if (text.contains("-----BEGIN " + legacy + "-----")) {
                throw new IOException(file + " holds an " + legacy + "; convert it to unencrypted PKCS#8 with "
                        + "'openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pem'");
            }
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int b = text.indexOf(begin);
        int e = text.indexOf("-----END PRIVATE KEY-----");
        if (b < 0 || e < b) {
            throw new IOException(file + " is not a PEM private key (BEGIN PRIVATE KEY)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + " holds invalid base64", ex);
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException tryNext) {
                // the encoding names its algorithm, but the JDK offers no factory that reads any of them
            }
        }
        throw new IOException(file + " is not an EC, RSA or EdDSA private key");
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("TLS file " + file + " does not exist", e);
        }
    }

    @Override
    public String toString() {
        return "TLS[ca=" + caFile + (certFile == null ? "" : ", cert=" + certFile + ", key=" + keyFile) + "]";
    }
}
