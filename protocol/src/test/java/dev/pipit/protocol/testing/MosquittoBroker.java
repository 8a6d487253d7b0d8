package dev.pipit.protocol.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (Debian's {@code mosquitto} package) on a free loopback port, for tests. Shared with
 * the agent, fleet and end-to-end tests through this module's test jar.
 */
public final class MosquittoBroker implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final List<String> extraConfig;
    private final TestPki tls;
    private Process process;
    private int port;

    private MosquittoBroker(Path dir, List<String> extraConfig, TestPki tls) {
        this.dir = dir;
        this.extraConfig = extraConfig;
        this.tls = tls;
    }

    /** Starts Mosquitto with anonymous access on 127.0.0.1 and a free port. */
    public static MosquittoBroker start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * Starts Mosquitto with extra configuration lines (persistence, limits, authentication, ...); a line that
     * sets {@code allow_anonymous}, {@code max_packet_size}, {@code persistence} or {@code set_tcp_nodelay}
     * replaces the default. With {@code persistence true} the database lives in the broker's directory, so
     * retained messages and persistent sessions survive {@link #stop()} and {@link #restart()}.
     */
    public static MosquittoBroker start(List<String> extraConfig) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: the test command installs Debian's mosquitto "
                    + "package (./run-tests), or run 'sudo apt-get install mosquitto'");
        }
        MosquittoBroker b = new MosquittoBroker(Files.createTempDirectory("pipit-mosquitto"), List.copyOf(extraConfig), null);
        b.port = freePort();
        b.launch();
        return b;
    }

    /**
     * Starts Mosquitto with one listener, MQTT over TLS with client certificates required (mutual TLS), the
     * certificate's common name as user name, no anonymous access, and {@code aclFile}.
     */
    public static MosquittoBroker startMutualTls(TestPki pki, Path aclFile) throws IOException, InterruptedException {
        MosquittoBroker b = new MosquittoBroker(Files.createTempDirectory("pipit-mosquitto"), List.of(
                "per_listener_settings false",
                "allow_anonymous false",
                "acl_file " + aclFile.toAbsolutePath()), pki);
        b.port = freePort();
        b.launch();
        return b;
    }

    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:port}, or {@code ssl://} for a TLS broker. */
    public String url() {
        return (tls == null ? "tcp" : "ssl") + "://127.0.0.1:" + port;
    }

    /** The broker's process id, e.g. to read its memory from /proc. */
    public long pid() {
        return process.pid();
    }

    /** What the broker logged. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("mosquitto.log"));
    }

    /** Kills the broker (as a crash or power cut would); {@link #restart()} brings it back on the same port. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Stops the broker as an operator would (SIGTERM: it saves its persistence database); {@link #restart()}
     * brings it back on the same port.
     */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Starts the broker again on the same port and database, killing it first if it still runs. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> conf = new ArrayList<>(List.of("listener " + port + " 127.0.0.1"));
        if (tls == null && !sets("allow_anonymous")) {
            conf.add("allow_anonymous true");
        } else if (tls != null) {
            conf.addAll(List.of("cafile " + tls.caFile(), "certfile " + tls.brokerCert(), "keyfile " + tls.brokerKey(),
                    "require_certificate true", "use_identity_as_username true"));
        }
        conf.addAll(List.of(
                // started as root, Mosquitto would switch to the "mosquitto" user and could not read the files here
                "user " + System.getProperty("user.name"),
                "persistence_location " + dir.toAbsolutePath() + "/",
                "log_dest file " + dir.resolve("mosquitto.log"),
                "log_type error",
                "log_type warning"));
        conf.addAll(extraConfig);
        if (!sets("max_packet_size")) {
            conf.add("max_packet_size 2000000");
        }
        if (!sets("persistence")) {
            conf.add("persistence false");
        }
        if (!sets("set_tcp_nodelay")) {
            conf.add("set_tcp_nodelay true"); // request/response round trips without Nagle's 40 ms
        }
        Path confFile = dir.resolve("mosquitto.conf");
        Files.write(confFile, conf);
        process = new ProcessBuilder(BINARY.toString(), "-c", confFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on port " + port + " within 10 s");
    }

    /** Whether the caller's extra configuration sets {@code option}, which then replaces the default. */
    private boolean sets(String option) {
        return extraConfig.stream().anyMatch(l -> l.startsWith(option + " "));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            stop();
        }
    }
}
