package dev.pipit.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay between a device and its broker whose link can be cut: {@link #cut} drops every connection
 * at once and refuses new ones, as a Wi-Fi outage does; {@link #restore} accepts again on the same port.
 */
public final class TcpProxy implements AutoCloseable {

    private final int port;
    private final int target;
    private final List<Socket> open = new ArrayList<>();
    private ServerSocket server;
    private Thread acceptor;

    private TcpProxy(int port, int target) {
        this.port = port;
        this.target = target;
    }

    /** Relays a free local port to {@code 127.0.0.1:target}. */
    public static TcpProxy start(int target) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TcpProxy p = new TcpProxy(port, target);
        p.restore();
        return p;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Accepts connections again. */
    public synchronized void restore() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ServerSocket s = server;
        acceptor = new Thread(() -> accept(s), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Drops every connection and stops accepting. */
    public synchronized void cut() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket device = s.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), target);
                synchronized (this) {
                    open.add(device);
                    open.add(broker);
                }
                pump(device, broker);
                pump(broker, device);
            } catch (IOException e) {
                // closed by cut()
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() throws IOException {
        cut();
    }
}
