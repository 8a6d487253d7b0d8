package dev.pipit.agent.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSocketTest {

    @TempDir
    Path dir;

    /** Answers with the request's batch as the error text: enough to see that framing carries both ways. */
    private static InferenceResponse echo(byte[] request) {
        try {
            return InferenceResponse.newBuilder().setError("batch " + InferenceRequest.parseFrom(request).getBatch()).build();
        } catch (IOException e) {
            return InferenceResponse.newBuilder().setError("not a request").build();
        }
    }

    private static void send(SocketChannel c, int length, byte[] body) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(length).put(body).flip();
        while (out.hasRemaining()) {
            c.write(out);
        }
    }

    private static InferenceResponse receive(SocketChannel c) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        while (header.hasRemaining()) {
            if (c.read(header) < 0) {
                throw new IOException("closed");
            }
        }
        ByteBuffer body = ByteBuffer.allocate(header.flip().getInt());
        while (body.hasRemaining()) {
            if (c.read(body) < 0) {
                throw new IOException("closed");
            }
        }
        return InferenceResponse.parseFrom(body.array());
    }

    @Test
    void exchange_twoRequestsOnOneConnection_areAnsweredInOrder() throws Exception {
        Path path = dir.resolve("agent.sock");
        try (LocalSocket s = LocalSocket.start(path, LocalSocketTest::echo, "test-local");
             SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            for (int batch = 1; batch <= 2; batch++) {
                byte[] r = InferenceRequest.newBuilder().setBatch(batch).build().toByteArray();
                send(c, r.length, r);
                assertEquals("batch " + batch, receive(c).getError());
            }
        }
        assertFalse(Files.exists(path), "closing removes the socket file");
    }

    @Test
    void exchange_oversizedLength_dropsTheConnectionButKeepsServing() throws Exception {
        Path path = dir.resolve("agent.sock");
        try (LocalSocket s = LocalSocket.start(path, LocalSocketTest::echo, "test-local")) {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                send(c, LocalSocket.MAX_REQUEST_BYTES + 1, new byte[0]);
                assertThrows(IOException.class, () -> receive(c));
            }
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                byte[] r = InferenceRequest.newBuilder().setBatch(3).build().toByteArray();
                send(c, r.length, r);
                assertEquals("batch 3", receive(c).getError());
            }
        }
    }

    @Test
    void start_staleSocketFileOfADeadProcess_isReplaced() throws Exception {
        Path path = dir.resolve("agent.sock");
        LocalSocket.start(path, LocalSocketTest::echo, "test-local").close();
        Files.writeString(path, "left behind");

        try (LocalSocket s = LocalSocket.start(path, LocalSocketTest::echo, "test-local")) {
            assertTrue(Files.exists(path));
        }
    }

    @Test
    void start_pathServedByAnotherAgent_isRefused() throws Exception {
        Path path = dir.resolve("agent.sock");
        try (LocalSocket first = LocalSocket.start(path, LocalSocketTest::echo, "test-local")) {
            IOException e = assertThrows(IOException.class, () -> LocalSocket.start(path, LocalSocketTest::echo, "x"));
            assertEquals(path + " is served by another process", e.getMessage());
        }
    }
}
