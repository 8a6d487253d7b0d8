package dev.pipit.protocol.trust;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories for Paho's {@code MqttConnectionOptions.setSocketFactory} whose sockets have TCP_NODELAY.
 * MQTT exchanges small packets that wait for each other (PUBLISH, PUBACK, a response): with Nagle's algorithm
 * and delayed acknowledgements each such exchange can stall some 40 ms. Paho insists on an
 * {@link SSLSocketFactory} for {@code ssl://} URLs and on anything else for {@code tcp://}, hence two kinds.
 */
public final class NoDelaySocketFactory {

    private NoDelaySocketFactory() {
    }

    /**
     * The factory for a broker URL: TLS with {@code tls}'s CA and client certificate when given, else the JVM's
     * default TLS for {@code ssl://} and {@code wss://}, else plain TCP.
     */
    public static SocketFactory forUrl(String url, TlsSettings tls) throws IOException {
        if (tls != null) {
            return tls.socketFactory();
        }
        return url.startsWith("ssl:") || url.startsWith("wss:") ? tls((SSLSocketFactory) SSLSocketFactory.getDefault()) : plain();
    }

    /** For {@code tcp://}. */
    public static SocketFactory plain() {
        return new Plain(SocketFactory.getDefault());
    }

    /** For {@code ssl://}: the sockets of {@code tls}, with TCP_NODELAY. */
    public static SSLSocketFactory tls(SSLSocketFactory tls) {
        return new Tls(tls);
    }

    private static Socket noDelay(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }

    private static final class Plain extends SocketFactory {

        private final SocketFactory d;

        Plain(SocketFactory d) {
            this.d = d;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(d.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(d.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return noDelay(d.createSocket(address, port, localAddress, localPort));
        }
    }

    private static final class Tls extends SSLSocketFactory {

        private final SSLSocketFactory d;

        Tls(SSLSocketFactory d) {
            this.d = d;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(d.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return noDelay(d.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(d.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(d.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return noDelay(d.createSocket(address, port, localAddress, localPort));
        }
    }
}
