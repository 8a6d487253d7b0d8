package dev.pipit.fleet.coap;

import dev.pipit.protocol.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.util.SslContextUtil;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * How the CoAP server authenticates devices: DTLS 1.2 (Scandium) with pre-shared keys, X.509 certificates or
 * raw public keys, each binding a peer to one device id; or plain CoAP, which authenticates nobody.
 */
public sealed interface ServerSecurity {

    /** The {@code --dtls} name, or "plain". */
    String mode();

    /** The device id a DTLS peer authenticated as, or null. */
    String deviceOf(Principal peer);

    /** Plain CoAP: no encryption, no authentication, any device id accepted (labs only). */
    record Plain() implements ServerSecurity {
        @Override
        public String mode() {
            return "plain";
        }

        @Override
        public String deviceOf(Principal peer) {
            return null;
        }
    }

    /** Pre-shared keys by identity; the identity is the device id. */
    record Psk(Map<String, byte[]> keys) implements ServerSecurity {
        public Psk {
            keys = Map.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("a PSK file needs at least one 'identity=secret' line");
            }
        }

        @Override
        public String mode() {
            return "psk";
        }

        @Override
        public String deviceOf(Principal peer) {
            return peer instanceof PreSharedKeyIdentity p ? p.getIdentity() : null;
        }

        @Override
        public String toString() {
            return "Psk[" + keys.size() + " identities]";
        }
    }

    /**
     * X.509: the server's key and certificate chain, and the CA certificates device certificates must chain
     * to; a device certificate's subject CN is its device id.
     */
    record Certificates(PrivateKey key, X509Certificate[] chain, Certificate[] trusted) implements ServerSecurity {
        @Override
        public String mode() {
            return "x509";
        }

        @Override
        public String deviceOf(Principal peer) {
            return peer instanceof X509CertPath p ? p.getCN() : null;
        }
    }

    /** Raw public keys (RFC 7250): the server's key pair, and each device's public key by device id. */
    record RawPublicKeys(PrivateKey key, PublicKey publicKey, Map<String, PublicKey> devices) implements ServerSecurity {
        public RawPublicKeys {
            devices = Map.copyOf(devices);
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("raw public keys need at least one device key (--device-keys DIR/ID.pub)");
            }
        }

        @Override
        public String mode() {
            return "rpk";
        }

        @Override
        public String deviceOf(Principal peer) {
            if (peer instanceof RawPublicKeyIdentity p) {
                for (Map.Entry<String, PublicKey> e : devices.entrySet()) {
                    if (e.getValue().equals(p.getKey())) {
                        return e.getKey();
                    }
                }
            }
            return null;
        }
    }

    /**
     * Reads a PSK file: one {@code identity=secret} per line, the secret in base64 or as {@code :0x} and hex
     * (the format of Californium's {@code MultiPskFileStore}); {@code #} starts a comment.
     */
    static Psk pskFile(Path file) throws IOException {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        List<String> lines = read(file, "--psk-file");
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String identity = eq < 0 ? "" : line.substring(0, eq).strip();
            String secret = eq < 0 ? "" : line.substring(eq + 1).strip();
            byte[] key;
            try {
                Topics.segment(identity);
                key = secret.startsWith(":0x") ? HexFormat.of().parseHex(secret.substring(3)) : Base64.getDecoder().decode(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + n + ": expected 'device-id=base64-secret' or"
                        + " 'device-id=:0xhex-secret'");
            }
            if (key.length == 0 || keys.put(identity, key) != null) {
                throw new IllegalArgumentException(file + " line " + n + ": empty secret or repeated identity " + identity);
            }
        }
        return new Psk(keys);
    }

    /** Reads the server's key and certificate chain (one PEM file) and the CA certificates for devices. */
    static Certificates x509(Path credentials, Path trust) throws IOException {
        SslContextUtil.Credentials own = pem(credentials, "--key");
        if (own.getPrivateKey() == null || own.getCertificateChain() == null || own.getCertificateChain().length == 0) {
            throw new IllegalArgumentException(credentials + " needs a PRIVATE KEY and the server's CERTIFICATE chain");
        }
        SslContextUtil.Credentials ca = pem(trust, "--trust");
        Certificate[] trusted = ca.getTrustedCertificates() != null ? ca.getTrustedCertificates() : ca.getCertificateChain();
        if (trusted == null || trusted.length == 0) {
            throw new IllegalArgumentException(trust + " holds no CA CERTIFICATE");
        }
        return new Certificates(own.getPrivateKey(), own.getCertificateChain(), trusted);
    }

    /** Reads the server's key pair (one PEM file) and every {@code ID.pub} in {@code deviceKeys}. */
    static RawPublicKeys rpk(Path credentials, Path deviceKeys) throws IOException {
        SslContextUtil.Credentials own = pem(credentials, "--key");
        if (own.getPrivateKey() == null || own.getPublicKey() == null) {
            throw new IllegalArgumentException(credentials + " needs a PRIVATE KEY and its PUBLIC KEY");
        }
        Map<String, PublicKey> devices = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deviceKeys, "*.pub")) {
            for (Path f : files) {
                String id = f.getFileName().toString().replaceFirst("\\.pub$", "");
                PublicKey key = pem(f, "--device-keys").getPublicKey();
                if (key == null) {
                    throw new IllegalArgumentException(f + " holds no PUBLIC KEY");
                }
                devices.put(Topics.segment(id), key);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--device-keys directory " + deviceKeys + " does not exist");
        }
        return new RawPublicKeys(own.getPrivateKey(), own.getPublicKey(), devices);
    }

    /** Puts this security's credentials and verifier on a DTLS connector being built. */
    static void configure(ServerSecurity security, DtlsConnectorConfig.Builder dtls) {
        if (security instanceof Psk p) {
            AdvancedMultiPskStore store = new AdvancedMultiPskStore();
            p.keys().forEach(store::setKey);
            dtls.setAdvancedPskStore(store);
        } else if (security instanceof Certificates x) {
            dtls.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, org.eclipse.californium.elements.config.CertificateAuthenticationMode.NEEDED);
            dtls.setCertificateIdentityProvider(new SingleCertificateProvider(x.key(), x.chain(), CertificateType.X_509));
            dtls.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedCertificates(x.trusted()).build());
        } else if (security instanceof RawPublicKeys r) {
            dtls.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, org.eclipse.californium.elements.config.CertificateAuthenticationMode.NEEDED);
            dtls.setCertificateIdentityProvider(new SingleCertificateProvider(r.key(), r.publicKey()));
            dtls.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                    .setTrustedRPKs(r.devices().values().stream().map(RawPublicKeyIdentity::new)
                            .toArray(RawPublicKeyIdentity[]::new)).build());
        }
    }

    private static List<String> read(Path file, String option) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + " file " + file + " does not exist");
        }
    }

    private static SslContextUtil.Credentials pem(Path file, String option) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return SslContextUtil.loadPemCredentials(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + " file " + file + " does not exist");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not a PEM file of keys and certificates: " + e.getMessage());
        }
    }
}
