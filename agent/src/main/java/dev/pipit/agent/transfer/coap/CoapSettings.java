package dev.pipit.agent.transfer.coap;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How an agent reaches a Pipit CoAP server ({@code pipit fleet coap-serve}).
 *
 * @param uri {@code coaps://host[:5684]}, or {@code coap://host[:5683]} when plain CoAP is allowed
 * @param allowPlain whether {@code coap://} (neither authenticated nor encrypted) may be used: labs only
 * @param dtls the device's DTLS credentials for {@code coaps://}; null for {@code coap://}
 * @param blockSize the Block2/Block1 size asked for: a power of two from 64 to 1024 bytes
 * @param ackTimeout CoAP's ACK_TIMEOUT, the first retransmission delay of a confirmable message (RFC 7252: 2 s)
 */
public record CoapSettings(URI uri, boolean allowPlain, Dtls dtls, int blockSize, Duration ackTimeout) {

    public static final int DEFAULT_BLOCK_SIZE = 1024;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(2);
    public static final int MIN_BLOCK_SIZE = 64;
    public static final int MAX_BLOCK_SIZE = 1024;

    /** A device's DTLS 1.2 credentials. */
    public sealed interface Dtls {

        /** The {@code coap-dtls} name of this kind of credentials. */
        String mode();

        /**
         * A pre-shared key; the identity is what the server knows the device by (its device id by default).
         */
        record Psk(String identity, byte[] secret) implements Dtls {
            public Psk {
                if (identity == null || identity.isEmpty() || secret == null || secret.length == 0) {
                    throw new IllegalArgumentException("a PSK needs an identity and a non-empty secret");
                }
                secret = secret.clone();
            }

            @Override
            public byte[] secret() {
                return secret.clone();
            }

            @Override
            public String mode() {
                return "psk";
            }

            /** Never prints the secret. */
            @Override
            public String toString() {
                return "Psk[identity=" + identity + ", secret=***]";
            }
        }

        /**
         * X.509: {@code credentials} is a PEM file with the private key and the device's certificate chain
         * (subject CN = device id); {@code trust} holds the CA certificate(s) the server's certificate must
         * chain to, and that certificate must name the server's host.
         */
        record Certificates(Path credentials, Path trust) implements Dtls {
            public Certificates {
                if (credentials == null || trust == null) {
                    throw new IllegalArgumentException("X.509 needs a key file (coap-key) and a trust file (coap-trust)");
                }
            }

            @Override
            public String mode() {
                return "x509";
            }
        }

        /**
         * Raw public keys (RFC 7250): {@code credentials} is a PEM file with the private and public key,
         * {@code trust} the server's public key.
         */
        record RawPublicKey(Path credentials, Path trust) implements Dtls {
            public RawPublicKey {
                if (credentials == null || trust == null) {
                    throw new IllegalArgumentException("raw public keys need a key file (coap-key) and the server's"
                            + " public key (coap-trust)");
                }
            }

            @Override
            public String mode() {
                return "rpk";
            }
        }
    }

    public CoapSettings {
        if (uri == null || uri.getHost() == null) {
            throw new IllegalArgumentException("a CoAP URI needs a host, e.g. coaps://fleet.local:5684");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("coap") && !scheme.equals("coaps")) {
            throw new IllegalArgumentException("a CoAP URI starts with coaps:// or coap://, was " + uri);
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("the CoAP URI names the server only (" + scheme + "://host:port), was " + uri);
        }
        if (scheme.equals("coap")) {
            if (dtls != null) {
                throw new IllegalArgumentException("DTLS credentials need a coaps:// URI, was " + uri);
            }
            if (!allowPlain) {
                throw new IllegalArgumentException("coap:// is neither authenticated nor encrypted: use coaps:// with"
                        + " DTLS credentials, or set allow-plain-coap: true (labs only)");
            }
        } else if (dtls == null) {
            throw new IllegalArgumentException("coaps:// needs DTLS credentials (coap-dtls: psk, x509 or rpk)");
        }
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("CoAP block size must be 64, 128, 256, 512 or 1024 bytes, was " + blockSize);
        }
        if (ackTimeout == null || ackTimeout.toMillis() < 10 || ackTimeout.toSeconds() > 60) {
            throw new IllegalArgumentException("CoAP ACK timeout must be 10 ms to 60 s, was " + ackTimeout);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("coap") ? 5683 : 5684;
        try {
            uri = new URI(scheme, null, uri.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a CoAP URI: " + uri, e);
        }
    }

    /** Default block size and ACK timeout. */
    public static CoapSettings of(URI uri, boolean allowPlain, Dtls dtls) {
        return new CoapSettings(uri, allowPlain, dtls, DEFAULT_BLOCK_SIZE, DEFAULT_ACK_TIMEOUT);
    }

    public CoapSettings withBlockSize(int bytes) {
        return new CoapSettings(uri, allowPlain, dtls, bytes, ackTimeout);
    }

    public CoapSettings withAckTimeout(Duration timeout) {
        return new CoapSettings(uri, allowPlain, dtls, blockSize, timeout);
    }

    public boolean secure() {
        return uri.getScheme().equals("coaps");
    }

    /** The block size exponent of RFC 7959: size = 2^(szx + 4). */
    public int szx() {
        return Integer.numberOfTrailingZeros(blockSize) - 4;
    }
}
