package dev.pipit.fleet.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto ({@code /usr/sbin/mosquitto}) for tests: no persistence, listening on a free port
 * of 127.0.0.1, anonymous unless told otherwise, stopped on {@link #close()}. It keeps running as
 * the test's user (started as root, Mosquitto would switch to "mosquitto", which cannot read the
 * test's private temporary folder). Its log goes to {@code mosquitto.log} in the
 * given folder and is quoted when it fails to start.
 */
public final class MosquittoBroker implements AutoCloseable {

    private static final Path EXECUTABLE = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;

    private MosquittoBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Anonymous access for everyone. */
    public static MosquittoBroker start(Path folder) throws IOException, InterruptedException {
        return start(folder, "allow_anonymous true\n");
    }

    /**
     * @param extraConfig Mosquitto configuration lines, at least on who may connect, e.g.
     *     {@code allow_anonymous false}, {@code password_file ...}, {@code acl_file ...}
     */
    public static MosquittoBroker start(Path folder, String extraConfig) throws IOException, InterruptedException {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException(EXECUTABLE + " is missing: install the mosquitto package");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = Files.writeString(folder.resolve("mosquitto.conf"), """
                listener %d 127.0.0.1
                persistence false
                log_dest stderr
                user %s
                """.formatted(port, System.getProperty("user.name")) + extraConfig);
        Path log = folder.resolve("mosquitto.log");
        Process p = new ProcessBuilder(EXECUTABLE.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MosquittoBroker broker = new MosquittoBroker(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!broker.accepts()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                broker.close();
                throw new IllegalStateException("mosquitto did not start on port " + port + ":\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return broker;
    }

    /** The broker's process id, e.g. to read its memory from /proc. */
    public long pid() {
        return process.pid();
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
