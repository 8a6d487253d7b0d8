package dev.pipit.fleet.coap;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.agent.transfer.coap.CoapSettings;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.KeyFiles;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Transfer time and bytes on the wire of a 1 MB variant to a real agent: over CoAP (plain UDP, Block2 of 256,
 * 512 and 1024 bytes, one block per round trip) and over MQTT through Mosquitto (64 KiB retained chunks, a
 * window of 8 subscriptions), on this machine's loopback. Bytes are counted by relays between the agent and
 * the server: UDP payloads, and the TCP byte stream (IP, UDP and TCP headers are not counted). Time is the
 * agent's own "download done in N ms" (first chunk requested to payload verified); after a warm-up, the median of
 * three runs, each with a fresh server and agent in one JVM.
 *
 * <p>Run: {@code mvn -q -pl fleet -am install -DskipTests} then
 * {@code mvn -q -pl fleet exec:java -Dexec.mainClass=dev.pipit.fleet.coap.CoapTransferBenchmark -Dexec.classpathScope=test}
 * (results go to stdout as a Markdown table; see docs/coap.md).
 */
public final class CoapTransferBenchmark {

    private static final DeviceProfile DEVICE = new DeviceProfile("bench", "benchmark device", 2L << 30, 2, "x86_64",
            Set.of(), 64L << 20, 1000, 0.5);
    private static final int RUNS = 3;

    private record Run(String transport, long millis, long toDevice, long fromDevice, long datagrams) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("pipit-coap-bench");
        KeyPair key = KeyFiles.generate();
        Path trusted = dir.resolve("fleet.pub");
        KeyFiles.writePublic(trusted, key.getPublic());
        CoapReleases.Written w = CoapReleases.write(dir.resolve("big.pipit"), "bench", 1, 784, 320, 64 << 10, key);
        System.out.printf("payload: %d bytes in %d chunks of %d%n", w.payload().length, w.variant().getChunkSha256Count(),
                w.variant().getChunkBytes());
        coap(dir, w, trusted, 1024, false); // warm-up: class loading and JIT, not measured
        mqtt(dir, w, trusted);
        System.out.println("| transport | median download | bytes to device | bytes from device | datagrams |");
        System.out.println("|---|---|---|---|---|");
        for (int block : new int[] {256, 512, 1024}) {
            print(median(() -> coap(dir, w, trusted, block, false)));
        }
        print(median(() -> coap(dir, w, trusted, 1024, true)));
        print(median(() -> mqtt(dir, w, trusted)));
    }

    private interface Trial {
        Run run() throws Exception;
    }

    private static Run median(Trial trial) throws Exception {
        Run[] runs = new Run[RUNS];
        for (int i = 0; i < RUNS; i++) {
            runs[i] = trial.run();
        }
        Arrays.sort(runs, Comparator.comparingLong(Run::millis));
        return runs[RUNS / 2];
    }

    private static void print(Run r) {
        System.out.printf("| %s | %d ms | %,d | %,d | %s |%n", r.transport(), r.millis(), r.toDevice(), r.fromDevice(),
                r.datagrams() < 0 ? "(TCP)" : String.format("%,d", r.datagrams()));
    }

    private static Run coap(Path dir, CoapReleases.Written w, Path trusted, int block, boolean dtls) throws Exception {
        byte[] secret = "benchmark pre-shared key".getBytes(StandardCharsets.UTF_8);
        ServerSecurity security = dtls ? new ServerSecurity.Psk(Map.of("bench-1", secret)) : new ServerSecurity.Plain();
        try (CoapModelServer server = CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0), security,
                CoapModelServer.Options.defaults());
             UdpRelay relay = UdpRelay.counting(server.port())) {
            server.publish(w.file());
            CoapSettings coap = CoapSettings.of(URI.create((dtls ? "coaps" : "coap") + "://127.0.0.1:" + relay.port()), !dtls,
                    dtls ? new CoapSettings.Dtls.Psk("bench-1", secret) : null).withBlockSize(block);
            long millis = download(dir, trusted, coap, null);
            return new Run((dtls ? "CoAP over DTLS 1.2 (PSK)" : "CoAP") + ", Block2 " + block + " B", millis,
                    relay.bytesToClient(), relay.bytesToServer(), relay.datagrams());
        }
    }

    private static Run mqtt(Path dir, CoapReleases.Written w, Path trusted) throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start()) {
            int port = URI.create(mosquitto.url()).getPort();
            new BundlePublisher(BrokerEndpoint.anonymous(mosquitto.url()), 8, new PrintWriter(Writer.nullWriter()))
                    .publish(w.file());
            try (TcpRelay relay = new TcpRelay(port)) {
                long millis = download(dir, trusted, null, "tcp://127.0.0.1:" + relay.port());
                return new Run("MQTT 5, Mosquitto, 64 KiB chunks", millis, relay.bytesToClient(), relay.bytesToServer(), -1);
            }
        }
    }

    /** Starts a fresh agent and returns the download time it logs. */
    private static long download(Path dir, Path trusted, CoapSettings coap, String broker) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Logger log = Logger.getLogger("dev.pipit.agent.transfer.Downloader");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().startsWith("download of {0} done")) {
                    done.complete(Long.parseLong(String.valueOf(r.getParameters()[2])));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        Path state = Files.createTempDirectory(dir, "agent");
        String endpoint = coap != null ? coap.uri().toString() : broker;
        try (Agent agent = Agent.start(AgentConfig.of(endpoint, "bench-1", DEVICE, state, List.of(trusted)), coap)) {
            long millis = done.get(120, TimeUnit.SECONDS);
            LongSupplier version = () -> agent.active().map(a -> a.getVersion()).orElse(0L);
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); version.getAsLong() != 1; ) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("the model was downloaded but not activated");
                }
                Thread.sleep(20);
            }
            return millis;
        } finally {
            log.removeHandler(h);
        }
    }
}
