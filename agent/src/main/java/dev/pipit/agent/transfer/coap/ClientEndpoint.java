package dev.pipit.agent.transfer.coap;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.SslContextUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * The agent's Californium endpoint: UDP for {@code coap://}, Scandium DTLS 1.2 for {@code coaps://}, sized for
 * one server (one protocol thread, small connection tables). Californium's transparent block-wise mode is off:
 * the transport asks for every block itself, so it can verify chunk by chunk, resume mid-resource and bound
 * what it holds in memory.
 */
final class ClientEndpoint {

    private ClientEndpoint() {
    }

    static CoapEndpoint create(CoapSettings s) throws IOException {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0); // no transparent block-wise transfer
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, s.blockSize());
        c.set(CoapConfig.MAX_MESSAGE_SIZE, s.blockSize());
        c.set(CoapConfig.ACK_TIMEOUT, s.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.MAX_ACK_TIMEOUT, Math.max(s.ackTimeout().toMillis() * 32, 60_000), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        c.set(CoapConfig.MAX_ACTIVE_PEERS, 16);
        c.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        c.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        CoapEndpoint.Builder endpoint = new CoapEndpoint.Builder().setConfiguration(c);
        if (!s.secure()) {
            return endpoint.setInetSocketAddress(new InetSocketAddress(0)).build();
        }
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
        c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, s.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            CoapSettings.Dtls d = s.dtls();
            if (d instanceof CoapSettings.Dtls.RawPublicKey) {
                c.set(DtlsConfig.DTLS_CERTIFICATE_TYPES, List.of(CertificateType.RAW_PUBLIC_KEY));
            }
            DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(c).setAddress(new InetSocketAddress(0));
            if (d instanceof CoapSettings.Dtls.Psk p) {
                dtls.setAdvancedPskStore(new AdvancedSinglePskStore(p.identity(), p.secret()));
            } else if (d instanceof CoapSettings.Dtls.Certificates x) {
                SslContextUtil.Credentials own = pem(x.credentials(), "coap-key");
                if (own.getPrivateKey() == null || own.getCertificateChain() == null
                        || own.getCertificateChain().length == 0) {
                    throw new IOException(x.credentials() + " needs a PRIVATE KEY and the device's CERTIFICATE chain");
                }
                dtls.setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivateKey(),
                        own.getCertificateChain(), CertificateType.X_509));
                dtls.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedCertificates(certificates(x.trust())).build());
            } else if (d instanceof CoapSettings.Dtls.RawPublicKey r) {
                SslContextUtil.Credentials own = pem(r.credentials(), "coap-key");
                if (own.getPrivateKey() == null || own.getPublicKey() == null) {
                    throw new IOException(r.credentials() + " needs a PRIVATE KEY and its PUBLIC KEY");
                }
                SslContextUtil.Credentials server = pem(r.trust(), "coap-trust");
                if (server.getPublicKey() == null) {
                    throw new IOException(r.trust() + " holds no PUBLIC KEY of the server");
                }
                dtls.setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivateKey(), own.getPublicKey()));
                dtls.setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(server.getPublicKey())).build());
            }
            return endpoint.setConnector(new DTLSConnector(dtls.build())).build();
        } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException("cannot set up DTLS (" + s.dtls().mode() + ") for " + s.uri() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a PEM file of keys and certificates (PKCS#8 or SEC1 keys, X.509 certificates). */
    static SslContextUtil.Credentials pem(Path file, String key) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return SslContextUtil.loadPemCredentials(in);
        } catch (NoSuchFileException e) {
            throw new IOException(key + " file " + file + " does not exist", e);
        }
    }

    private static Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        SslContextUtil.Credentials trust = pem(file, "coap-trust");
        Certificate[] certs = trust.getTrustedCertificates() != null ? trust.getTrustedCertificates()
                : trust.getCertificateChain();
        if (certs == null || certs.length == 0) {
            throw new IOException(file + " holds no CA CERTIFICATE");
        }
        return certs;
    }
}
