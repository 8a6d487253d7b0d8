package dev.pipit.fleet.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * An MQTT 5 broker in this JVM: HiveMQ Community Edition, embedded. For demos, tests and small
 * fleets; production fleets run Mosquitto (deploy/mosquitto). Retained messages are kept in memory
 * unless persistence is asked for: HiveMQ's file persistence (RocksDB) costs seconds at start.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Room for 64 KiB chunks and a multi-megabyte manifest; HiveMQ's own default is 256 MB. */
    private static final int MAX_PACKET_BYTES = 16 << 20;
    private static final String LOGBACK_RESOURCE = "dev/pipit/fleet/broker/logback.xml";

    static {
        // HiveMQ logs a few INFO lines before its own logging bootstrap reads the configuration
        // folder; logback reads this property when it initializes, so they are quiet too.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_RESOURCE);
        }
    }

    private final String bindAddress;
    private final int requestedPort;
    private final Path dataFolder;
    private final boolean persistent;
    private Path workFolder;
    private EmbeddedHiveMQ hivemq;
    private int port;

    /** On 127.0.0.1, in memory, data in a temporary folder; port 0 picks a free one. */
    public EmbeddedBroker(int port) {
        this("127.0.0.1", port, null, false);
    }

    /** In memory; see {@link #EmbeddedBroker(String, int, Path, boolean)}. */
    public EmbeddedBroker(String bindAddress, int port, Path dataFolder) {
        this(bindAddress, port, dataFolder, false);
    }

    /**
     * @param bindAddress where to listen, e.g. 127.0.0.1 or 0.0.0.0
     * @param port TCP port; 0 picks a free one
     * @param dataFolder HiveMQ's data folder, or null for a temporary one deleted on close
     * @param persistent keep retained messages and sessions in the data folder across restarts
     */
    public EmbeddedBroker(String bindAddress, int port, Path dataFolder, boolean persistent) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        if (persistent && dataFolder == null) {
            throw new IllegalArgumentException("a persistent broker needs a data folder");
        }
        this.bindAddress = bindAddress;
        this.requestedPort = port;
        this.dataFolder = dataFolder;
        this.persistent = persistent;
    }

    /** Starts the broker and returns the port it listens on. */
    public synchronized int start() throws IOException {
        if (hivemq != null) {
            throw new IllegalStateException("broker already started on port " + port);
        }
        // A port picked free can be taken before HiveMQ binds it: pick again, a few times.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOn(requestedPort == 0 ? freePort(bindAddress) : requestedPort);
            } catch (IOException e) {
                if (requestedPort != 0 || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private int startOn(int port) throws IOException {
        this.port = port;
        workFolder = Files.createTempDirectory("pipit-broker-");
        Path config = Files.createDirectories(workFolder.resolve("conf"));
        Files.writeString(config.resolve("config.xml"), config(port));
        try (InputStream logback = EmbeddedBroker.class.getClassLoader().getResourceAsStream(LOGBACK_RESOURCE)) {
            Files.copy(logback, config.resolve("logback.xml"));
        }
        Path data = dataFolder != null ? Files.createDirectories(dataFolder) : workFolder.resolve("data");
        Handler[] julHandlers = Logger.getLogger("").getHandlers();
        hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(data)
                .withExtensionsFolder(Files.createDirectories(workFolder.resolve("extensions")))
                .build();
        try {
            hivemq.start().get();
            return port;
        } catch (ExecutionException e) {
            close();
            throw new IOException("MQTT broker did not start on " + bindAddress + ":" + port
                    + " (is the port in use? see the broker's log above)", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while starting the MQTT broker", e);
        } finally {
            restoreJulHandlers(julHandlers);
        }
    }

    /** The bound port (after {@link #start()}). */
    public int port() {
        return port;
    }

    /** The URL MQTT clients connect to, e.g. {@code tcp://127.0.0.1:1883}. */
    public String url() {
        String host = bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
        return "tcp://" + host + ":" + port;
    }

    @Override
    public synchronized void close() {
        try {
            if (hivemq != null) {
                hivemq.close();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("MQTT broker did not stop cleanly: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hivemq = null;
            deleteRecursively(workFolder);
            workFolder = null;
        }
    }

    private static int freePort(String bindAddress) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(bindAddress))) {
            return s.getLocalPort();
        }
    }

    /**
     * HiveMQ routes java.util.logging into SLF4J by replacing the root handlers; put ours back so
     * the rest of Pipit keeps logging as configured.
     */
    private static void restoreJulHandlers(Handler[] saved) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        for (Handler h : saved) {
            root.addHandler(h);
        }
    }

    private String config(int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>%s</bind-address></tcp-listener>
                  </listeners>
                  <mqtt>
                    <packets><max-packet-size>%d</max-packet-size></packets>
                  </mqtt>
                  <persistence><mode>%s</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, bindAddress, MAX_PACKET_BYTES, persistent ? "file" : "in-memory");
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete broker work folder " + dir, e);
        }
    }
}
