package dev.pipit.agent.infer;

import com.google.protobuf.Message;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Inference for processes on the device itself, with or without a broker: a Unix domain socket that
 * takes InferenceRequests and answers InferenceResponses, each framed by a 4-byte big-endian length.
 * One connection is served at a time, on one thread; requests run against the active model like MQTT
 * ones. Who may connect is decided by the socket file's permissions (the agent's umask).
 */
public final class LocalSocket implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LocalSocket.class.getName());
    /** Largest request accepted: a batch of 256 Fashion-MNIST images is 800 KB. */
    public static final int MAX_REQUEST_BYTES = 4 << 20;

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<byte[], ? extends Message> answer;
    private final Thread thread;
    private volatile SocketChannel client;
    private volatile boolean closed;

    private LocalSocket(Path path, ServerSocketChannel server, Function<byte[], ? extends Message> answer, String name) {
        this.path = path;
        this.server = server;
        this.answer = answer;
        this.thread = new Thread(this::serve, name);
        thread.setDaemon(true);
    }

    /**
     * Listens on {@code path}, replacing a stale socket file that nobody serves.
     *
     * @param answer turns a request's bytes into the response; must not throw
     * @throws IOException if the path is served by another process or cannot be bound
     */
    public static LocalSocket start(Path path, Function<byte[], ? extends Message> answer, String threadName)
            throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        if (Files.exists(path)) {
            boolean served;
            try (SocketChannel probe = SocketChannel.open(address)) {
                served = probe.isConnected();
            } catch (IOException e) {
                served = false;
            }
            if (served) {
                throw new IOException(path + " is served by another process");
            }
            Files.deleteIfExists(path); // left by a process that died
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(address);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        LocalSocket s = new LocalSocket(path, server, answer, threadName);
        s.thread.start();
        return s;
    }

    public Path path() {
        return path;
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                client = c;
                while (!closed && exchange(c)) {
                    // one request, one response
                }
            } catch (ClosedChannelException e) {
                return; // closed
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "local inference connection ended: {0}", e.getMessage());
                }
            } finally {
                client = null;
            }
        }
    }

    /** Serves one framed request; false when the client closed the connection. */
    private boolean exchange(SocketChannel c) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!readFully(c, header)) {
            return false;
        }
        int length = header.flip().getInt();
        if (length < 0 || length > MAX_REQUEST_BYTES) {
            throw new IOException("request of " + Integer.toUnsignedString(length) + " bytes refused (at most "
                    + MAX_REQUEST_BYTES + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        if (!readFully(c, body)) {
            return false;
        }
        byte[] response = answer.apply(body.array()).toByteArray();
        ByteBuffer out = ByteBuffer.allocate(4 + response.length).putInt(response.length).put(response).flip();
        while (out.hasRemaining()) {
            c.write(out);
        }
        return true;
    }

    private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                if (b.position() == 0) {
                    return false;
                }
                throw new IOException("connection closed in the middle of a request");
            }
        }
        return true;
    }

    /** Stops listening, ends the connection being served and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            SocketChannel c = client;
            if (c != null) {
                c.close();
            }
            thread.join(2000);
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing {0}: {1}", path, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
