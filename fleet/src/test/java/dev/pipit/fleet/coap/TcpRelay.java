package dev.pipit.fleet.coap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** A TCP relay on 127.0.0.1 that counts the bytes each way: the byte counter of the MQTT side of the benchmark. */
final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    private volatile boolean closed;

    TcpRelay(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-relay");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    long bytesToServer() {
        return toServer.get();
    }

    long bytesToClient() {
        return toClient.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                pump(client.getInputStream(), server.getOutputStream(), toServer, server);
                pump(server.getInputStream(), client.getOutputStream(), toClient, client);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, AtomicLong counter, Socket closeAfter) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (closeAfter) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    counter.addAndGet(n);
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // either side closed
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
    }
}
