package dev.pipit.fleet.coap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP path between one client and a server on 127.0.0.1 that drops a seeded share of the datagrams in
 * each direction and counts what the endpoints sent (UDP payload bytes and datagrams, dropped ones included):
 * the lossy link of the CoAP tests and the byte counter of the benchmark.
 */
final class UdpRelay implements AutoCloseable {

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final double dropToServer;
    private final double dropToClient;
    private final Random toServer;
    private final Random toClient;
    private final AtomicLong bytesToServer = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicLong datagramsToServer = new AtomicLong();
    private final AtomicLong datagramsToClient = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile SocketAddress client;
    private volatile long cutAfterBytesToClient = Long.MAX_VALUE;
    private volatile boolean closed;

    UdpRelay(int serverPort, double dropToServer, double dropToClient, long seed) throws IOException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
        this.dropToServer = dropToServer;
        this.dropToClient = dropToClient;
        this.toServer = new Random(seed);
        this.toClient = new Random(seed + 1);
        start("relay-to-server", this::forwardToServer);
        start("relay-to-client", this::forwardToClient);
    }

    /** A lossless relay: counts only. */
    static UdpRelay counting(int serverPort) throws IOException {
        return new UdpRelay(serverPort, 0, 0, 0);
    }

    /** From the moment the server has sent more than {@code bytes}, nothing gets through (the link goes dark). */
    void cutAfter(long bytes) {
        cutAfterBytesToClient = bytes;
    }

    /** Lets datagrams through again after {@link #cutAfter}. */
    void restore() {
        cutAfterBytesToClient = Long.MAX_VALUE;
    }

    int port() {
        return front.getLocalPort();
    }

    long bytesToServer() {
        return bytesToServer.get();
    }

    long bytesToClient() {
        return bytesToClient.get();
    }

    long datagrams() {
        return datagramsToServer.get() + datagramsToClient.get();
    }

    long dropped() {
        return dropped.get();
    }

    private void forwardToServer() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        front.receive(p);
        client = p.getSocketAddress();
        bytesToServer.addAndGet(p.getLength());
        datagramsToServer.incrementAndGet();
        if (toServer.nextDouble() < dropToServer || bytesToClient.get() > cutAfterBytesToClient) {
            dropped.incrementAndGet();
            return;
        }
        back.send(new DatagramPacket(p.getData(), p.getLength()));
    }

    private void forwardToClient() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        back.receive(p);
        bytesToClient.addAndGet(p.getLength());
        datagramsToClient.incrementAndGet();
        SocketAddress to = client;
        if (to == null || toClient.nextDouble() < dropToClient || bytesToClient.get() > cutAfterBytesToClient) {
            dropped.incrementAndGet();
            return;
        }
        front.send(new DatagramPacket(p.getData(), p.getLength(), to));
    }

    private interface Step {
        void run() throws IOException;
    }

    private void start(String name, Step step) {
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    step.run();
                } catch (IOException e) {
                    if (!closed) {
                        System.err.println(name + ": " + e);
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        front.close();
        back.close();
    }
}
