package dev.pipit.fleet.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.RetainedMessages;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.rollout.RolloutController;
import dev.pipit.fleet.rollout.RolloutPolicy;
import dev.pipit.fleet.rollout.RolloutSummary;
import dev.pipit.fleet.testing.GoldenReleases;
import dev.pipit.fleet.testing.GoldenReleases.Release;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.RolloutState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Scale benchmark, not a unit test: a 1 MB release to 500 real agents (in a few JVMs) through one
 * Mosquitto, first as a staged rollout (canary 5, then steps of 25 %), then as a fleet-wide publish of
 * the next version. Reports the time until every device runs the release, the bytes the broker sent and
 * received against the payload ($SYS counters), and the resident memory of the broker and of the
 * agents' JVMs (/proc/PID/status). Results: docs/fleet-scale.md.
 *
 * <p>{@code mvn -q -pl fleet -am -Pscale-bench -DskipTests verify [-Dbench.devices=500] [-Dbench.jvms=2]}
 */
public final class ScaleBench {

    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final int HIDDEN = 320; // 784-320-10 fp32: 1,017,640 bytes of weights

    private final int devices;
    private final Path dir;
    private final PrintWriter out = new PrintWriter(System.out, true);
    private final List<Process> hosts = new ArrayList<>();

    private ScaleBench(int devices, Path dir) {
        this.devices = devices;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int jvms = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("pipit-scale-");
        try {
            new ScaleBench(devices, dir).run(jvms);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) { // 500 state directories hold a model each: 1 GB
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.exit(0);
    }

    private void run(int jvms) throws Exception {
        KeyPair key = KeyFiles.generate();
        Path publicKey = dir.resolve("signing.pub");
        KeyFiles.writePublic(publicKey, key.getPublic());
        Release v1 = GoldenReleases.writeFp32(dir.resolve("v1.pipit"), "scale", 1, 1, HIDDEN, key);
        Release v2 = GoldenReleases.writeFp32(dir.resolve("v2.pipit"), "scale", 2, 2, HIDDEN, key);
        long payload = v1.variant(GoldenReleases.FP32).getPayloadBytes();
        out.printf(Locale.ROOT, "# %d agents in %d JVMs, payload %d bytes (%d chunks), %d cores, Java %s%n", devices, jvms,
                payload, v1.variant(GoldenReleases.FP32).getChunkSha256Count(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (MosquittoBroker mosquitto = MosquittoBroker.start(List.of("sys_interval 1"))) {
            BrokerEndpoint broker = BrokerEndpoint.anonymous(mosquitto.url());
            Fleet fleet = new Fleet(broker);
            try (BrokerCounters counters = new BrokerCounters(broker)) {
                long t0 = System.nanoTime();
                startHosts(mosquitto.url(), jvms, publicKey);
                fleet.await(s -> s.getOnline(), "online");
                out.printf(Locale.ROOT, "connected: %d agents in %.1f s%n", devices, seconds(t0));
                memory("idle", mosquitto);

                Map<String, Long> before = settled(counters);
                long t1 = System.nanoTime();
                RolloutState end;
                try (RolloutController c = RolloutController.open(broker, "scale", RolloutController.DEFAULT_LEASE, 8,
                        new PrintWriter(System.err, true))) {
                    end = c.rollout(BundlePublisher.open(v1.file()), new RolloutPolicy(List.of(), 5, 25, 5, 5,
                            Duration.ofMinutes(10)), null);
                }
                double staged = seconds(t1);
                fleet.await(s -> s.getActive().getVersion() == 1, "active v1");
                Map<String, Long> afterStaged = settled(counters);
                out.printf(Locale.ROOT, "staged rollout v1: %s in %.1f s%n", RolloutSummary.of(end).line(), staged);
                out.printf(Locale.ROOT, "rollout state: %d bytes retained (%d of them the signed manifest); %s: %s%n",
                        end.getSerializedSize(), end.getToManifest().size(), end.getDevices(0).getDeviceId(),
                        end.getDevices(0).getReason());
                traffic("staged rollout", before, afterStaged, payload);
                memory("after staged rollout", mosquitto);

                long t2 = System.nanoTime();
                new BundlePublisher(broker, 8, new PrintWriter(System.err, true)).publish(v2.file());
                fleet.await(s -> s.getActive().getVersion() == 2, "active v2");
                out.printf(Locale.ROOT, "fleet-wide publish v2: all %d active in %.1f s%n", devices, seconds(t2));
                traffic("fleet-wide publish", afterStaged, settled(counters), payload);
                memory("after fleet-wide publish", mosquitto);
            } finally {
                fleet.close();
                stopHosts();
            }
        }
    }

    /** Starts the agent JVMs, splitting the devices evenly, and waits for each to say "ready". */
    private void startHosts(String url, int jvms, Path publicKey) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int first = 0;
        for (int j = 0; j < jvms; j++) {
            int count = devices / jvms + (j < devices % jvms ? 1 : 0);
            Process p = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseSerialGC", "-Xss512k", "--add-modules",
                    "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), AgentHost.class.getName(), url,
                    Integer.toString(first), Integer.toString(count), dir.resolve("devices").toString(), publicKey.toString())
                    .redirectError(dir.resolve("agents-" + j + ".log").toFile()).start();
            hosts.add(p);
            first += count;
        }
        for (Process p : hosts) {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null || !line.startsWith("ready")) {
                throw new IllegalStateException("an agent JVM did not start; see " + dir);
            }
        }
    }

    private void stopHosts() throws InterruptedException {
        for (Process p : hosts) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                p.destroy();
            }
        }
        for (Process p : hosts) {
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private void memory(String when, MosquittoBroker mosquitto) throws IOException {
        ProcMemory broker = ProcMemory.of(mosquitto.pid());
        ProcMemory agents = new ProcMemory(0, 0);
        for (Process p : hosts) {
            agents = agents.plus(ProcMemory.of(p.pid()));
        }
        out.printf(Locale.ROOT, "memory %s: broker RSS %.1f MiB (peak %.1f MiB); agent JVMs RSS %.0f MiB (peak %.0f MiB), "
                        + "%.2f MiB per agent%n", when, mib(broker.rssBytes()), mib(broker.peakRssBytes()),
                mib(agents.rssBytes()), mib(agents.peakRssBytes()), mib(agents.rssBytes()) / devices);
    }

    private void traffic(String what, Map<String, Long> from, Map<String, Long> to, long payload) {
        long sent = delta(from, to, BrokerCounters.BYTES_SENT);
        long received = delta(from, to, BrokerCounters.BYTES_RECEIVED);
        out.printf(Locale.ROOT, "traffic %s: broker sent %.1f MB = %.2f x payload x devices (%d messages), received "
                        + "%.1f MB = %.2f x payload (%d messages)%n", what, sent / 1e6, (double) sent / payload / devices,
                delta(from, to, BrokerCounters.MESSAGES_SENT), received / 1e6, (double) received / payload,
                delta(from, to, BrokerCounters.MESSAGES_RECEIVED));
    }

    /** Counters once the broker has published them after everything so far: two sys intervals. */
    private static Map<String, Long> settled(BrokerCounters counters) throws InterruptedException {
        Thread.sleep(2_500);
        return counters.snapshot();
    }

    private static long delta(Map<String, Long> from, Map<String, Long> to, String counter) {
        return to.getOrDefault(counter, 0L) - from.getOrDefault(counter, 0L);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** Every device's latest status, from a live subscription. */
    private final class Fleet implements AutoCloseable {
        private final Map<String, DeviceStatus> statuses = new ConcurrentHashMap<>();
        private final BrokerSession session;

        Fleet(BrokerEndpoint broker) throws IOException {
            MessageRouter router = new MessageRouter();
            router.on(Topics.ALL_DEVICE_STATUS, (topic, message) -> {
                try {
                    statuses.put(Topics.deviceIdOf(topic), DeviceStatus.parseFrom(message.getPayload()));
                } catch (InvalidProtocolBufferException e) {
                    // not from an agent
                }
            });
            session = broker.connect("pipit-bench-watch", router);
            RetainedMessages.subscribe(session, router, List.of(Topics.ALL_DEVICE_STATUS), Duration.ofSeconds(10));
        }

        void await(java.util.function.Predicate<DeviceStatus> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (statuses.values().stream().filter(condition).count() < devices) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + statuses.values().stream().filter(condition).count() + " of "
                            + devices + " devices " + what + " after " + TIMEOUT);
                }
                Thread.sleep(100);
            }
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
