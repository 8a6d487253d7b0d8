package dev.pipit.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker for tests: started from a generated config on a free 127.0.0.1 port
 * (anonymous access, persistence only if asked), stopped by {@link #close}. The binary is
 * {@code /usr/sbin/mosquitto} unless the system property {@code pipit.mosquitto} names another.
 */
public final class Mosquitto implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("pipit.mosquitto", "/usr/sbin/mosquitto"));
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final Process process;
    private final int port;
    private final Path log;

    private Mosquitto(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a broker on a free port; its config and log go to {@code dir}. */
    public static Mosquitto start(Path dir) throws IOException, InterruptedException {
        return start(dir, false);
    }

    /**
     * Starts a broker on a free port, with persistence in {@code dir} if asked: retained messages and
     * persistent sessions then survive a restart on the same port (saved when it stops).
     */
    public static Mosquitto start(Path dir, boolean persistent) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return start(dir, freePort(), persistent);
            } catch (IOException e) {
                last = e; // another process took the port between probe and bind: pick another
            }
        }
        throw last;
    }

    /** Starts a broker on a given port, e.g. to restart one where clients expect it. */
    public static Mosquitto start(Path dir, int port) throws IOException, InterruptedException {
        return start(dir, port, false);
    }

    /** Starts a broker on a given port, with persistence in {@code dir} ({@code mosquitto-{port}.db}) if asked. */
    public static Mosquitto start(Path dir, int port, boolean persistent) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IOException(BINARY + " is missing: install the mosquitto package (apt-get install mosquitto)");
        }
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "set_tcp_nodelay true", // request/response round trips without Nagle's 40 ms
                "persistence " + persistent,
                // started as root, Mosquitto would switch to the "mosquitto" user and fail to write its database here
                "user " + System.getProperty("user.name"),
                "persistence_location " + dir.toAbsolutePath() + "/",
                "persistence_file mosquitto-" + port + ".db",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "log_type notice",
                ""));
        Path log = dir.resolve("mosquitto-" + port + ".log");
        Process p = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("mosquitto exited with " + p.exitValue() + " on port " + port + ": "
                        + Files.readString(log).strip());
            }
            if (accepts(port)) {
                return new Mosquitto(p, port, log);
            }
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        throw new IOException("mosquitto did not listen on port " + port + " within " + START_TIMEOUT_MILLIS + " ms");
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** What the broker logged (errors, warnings, notices such as connections). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 5 s) and waits until its port is free. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
