package dev.pipit.fleet.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipit.agent.Agent;
import dev.pipit.fleet.FleetCommand;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.RetainedMessages;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.fleet.status.FleetStatus;
import dev.pipit.fleet.testing.FleetMain;
import dev.pipit.fleet.testing.GoldenReleases;
import dev.pipit.fleet.testing.GoldenReleases.Release;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.fleet.testing.SimulatedDevices;
import dev.pipit.fleet.testing.SimulatedDevices.Device;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceRollout;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.RolloutState;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Staged rollouts against a real Mosquitto and 20–24 real agents in this JVM, with device profiles that
 * pick different variants (rpi-zero-2w's budget only fits int8, the others take fp32).
 */
class RolloutControllerTest {

    private static final Duration ACTIVATION = Duration.ofSeconds(40);
    private static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    Path dir;
    private MosquittoBroker mosquitto;
    private BrokerEndpoint broker;
    private KeyPair key;
    private Path publicKey;

    @BeforeEach
    void start() throws Exception {
        mosquitto = MosquittoBroker.start();
        broker = BrokerEndpoint.anonymous(mosquitto.url());
        key = KeyFiles.generate();
        publicKey = dir.resolve("signing.pub");
        KeyFiles.writePublic(publicKey, key.getPublic());
    }

    @AfterEach
    void stop() throws InterruptedException {
        mosquitto.close();
    }

    @Test
    void rollout_healthyRelease_completesGroupByGroupThenGoesFleetWide() throws Exception {
        Release v1 = GoldenReleases.write(dir.resolve("v1.pipit"), "happy", 1, 11, key);
        Release v2 = GoldenReleases.write(dir.resolve("v2.pipit"), "happy", 2, 22, key);
        List<Device> devices = new ArrayList<>(devices("lab", 4, "x86-64-dev"));
        devices.addAll(devices("field", 16, "rpi-4b-2gb", "rpi-zero-2w"));
        try (SimulatedDevices fleet = startOnVersion1(devices, v1)) {
            StringWriter progress = new StringWriter();
            RolloutState end;
            try (RolloutController c = RolloutController.open(broker, "happy", LEASE, 8, new PrintWriter(progress, true))) {
                end = c.rollout(BundlePublisher.open(v2.file()),
                        new RolloutPolicy(List.of("lab", "field"), 1, 50, 10, 1, Duration.ofSeconds(30)), null);
            }

            assertEquals(RolloutState.Phase.COMPLETED, end.getPhase(), progress.toString());
            assertEquals(6, end.getSteps(), "lab: 1 + 2 + 1, field: 1 + 8 + 7");
            assertEquals(20, count(end, d -> d.getState() == DeviceRollout.State.HEALTHY), progress.toString());
            long lastLab = end.getDevicesList().stream().filter(d -> d.getGroup().equals("lab"))
                    .mapToLong(DeviceRollout::getTargetedEpochMillis).max().orElseThrow();
            long firstField = end.getDevicesList().stream().filter(d -> d.getGroup().equals("field"))
                    .mapToLong(DeviceRollout::getTargetedEpochMillis).min().orElseThrow();
            assertTrue(lastLab <= firstField, "every lab device got the release before any field device");
            for (Device d : devices) {
                ActiveModel a = fleet.agent(d.id()).active().orElseThrow();
                assertEquals(2, a.getVersion(), d.id());
                assertEquals(d.profile().equals("rpi-zero-2w") ? GoldenReleases.INT8 : GoldenReleases.FP32,
                        a.getVariant(), d.id());
            }

            Map<String, byte[]> retained = retained(Topics.manifest("happy"), "pipit/v1/devices/+/models/+/manifest",
                    Topics.rollout("happy"));
            assertArrayEquals(v2.signedManifest(), retained.get(Topics.manifest("happy")), "fleet-wide release");
            assertEquals(Set.of(Topics.manifest("happy"), Topics.rollout("happy")), retained.keySet(),
                    "the devices' own manifests are cleared");
            RolloutState kept = RolloutState.parseFrom(retained.get(Topics.rollout("happy")));
            assertEquals(RolloutState.Phase.COMPLETED, kept.getPhase());
            assertEquals(0, kept.getLeaseExpiresEpochMillis());

            FleetStatus.Snapshot status = FleetStatus.snapshot(broker, Duration.ofMillis(500));
            RolloutSummary summary = status.rollouts().get(0);
            assertEquals("COMPLETED", summary.phase());
            assertEquals(20, summary.healthy());
            assertEquals(Set.of("lab", "field"), status.devices().stream().map(DeviceSummary::group)
                    .collect(Collectors.toSet()));
            assertTrue(progress.toString().contains("step 1/6: happy v2 sent to 1 devices of group lab"), progress.toString());
            assertTrue(progress.toString().contains("every step passed"), progress.toString());
        }
    }

    @Test
    void rollout_groupFailsGoldenCheck_haltsAndRollsBackTheDevicesThatActivated() throws Exception {
        Release v1 = GoldenReleases.write(dir.resolve("v1.pipit"), "canary", 1, 11, key);
        Release bad = GoldenReleases.writeWrongGolden(dir.resolve("v2.pipit"), "canary", 2, 22, GoldenReleases.INT8, key);
        List<Device> devices = new ArrayList<>(devices("lab", 8, "x86-64-dev"));
        devices.addAll(devices("field", 16, "rpi-zero-2w"));
        try (SimulatedDevices fleet = startOnVersion1(devices, v1)) {
            StringWriter progress = new StringWriter();
            RolloutState end;
            try (RolloutController c = RolloutController.open(broker, "canary", LEASE, 8, new PrintWriter(progress, true))) {
                end = c.rollout(BundlePublisher.open(bad.file()),
                        new RolloutPolicy(List.of("lab", "field"), 2, 50, 10, 2, Duration.ofSeconds(30)), key);
            }

            assertEquals(RolloutState.Phase.HALTED, end.getPhase(), progress.toString());
            assertTrue(end.getHaltReason().contains("golden check"), end.getHaltReason());
            List<DeviceRollout> lab = group(end, "lab");
            List<DeviceRollout> field = group(end, "field");
            assertTrue(lab.stream().allMatch(d -> d.getState() == DeviceRollout.State.HEALTHY && d.getActivated()), progress.toString());
            assertTrue(lab.stream().allMatch(d -> d.getRollback() == DeviceRollout.Rollback.ROLLBACK_DONE), progress.toString());
            List<DeviceRollout> canaries = field.subList(0, 2);
            assertTrue(canaries.stream().allMatch(d -> d.getState() == DeviceRollout.State.FAILED
                    && d.getReason().contains("golden check") && !d.getActivated()), canaries.toString());
            assertTrue(field.subList(2, 16).stream().allMatch(d -> d.getState() == DeviceRollout.State.PENDING
                    && d.getTargetedEpochMillis() == 0), "the halt stops the rollout before the next field step");

            // Back on (the lab) or never left (the field) the payloads of v1.
            Manifest v1Manifest = v1.manifest();
            fleet.awaitAll(a -> runsPayloadsOf(a, v1Manifest, end.getRollbackVersion()), ACTIVATION,
                    "returned to the payloads of v1");
            for (DeviceRollout d : field) {
                assertEquals(1, fleet.agent(d.getDeviceId()).active().orElseThrow().getVersion(), d.getDeviceId());
            }
            Map<String, byte[]> retained = retained(Topics.manifest("canary"), "pipit/v1/devices/+/models/+/manifest");
            assertArrayEquals(v1.signedManifest(), retained.get(Topics.manifest("canary")), "fleet-wide release untouched");
            for (DeviceRollout d : canaries) {
                assertTrue(!retained.containsKey(Topics.deviceManifest(d.getDeviceId(), "canary")), "cleared");
            }
            if (end.getRollbackVersion() != 0) { // the agent does not serve Rollback: a rollback release did it
                Manifest r = Manifest.parseFrom(SignedManifest.parseFrom(end.getRollbackManifest()).getManifest());
                assertEquals(3, r.getVersion());
                assertEquals(sha256s(v1Manifest), sha256s(r), "the rollback release carries v1's payloads");
                assertTrue(lab.stream().allMatch(DeviceRollout::getRollbackByRelease));
            }
        }
    }

    @Test
    void rollout_controllerKilledMidway_anotherResumesFromTheRetainedState() throws Exception {
        Release v1 = GoldenReleases.write(dir.resolve("v1.pipit"), "resumed", 1, 11, key);
        Release v2 = GoldenReleases.write(dir.resolve("v2.pipit"), "resumed", 2, 22, key);
        List<Device> devices = devices("default", 20, "x86-64-dev", "rpi-4b-2gb", "rpi-zero-2w", "rpi-3b-plus");
        try (SimulatedDevices fleet = startOnVersion1(devices, v1);
             MqttRecorder states = MqttRecorder.subscribe(mosquitto.url(), Topics.rollout("resumed"))) {
            Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    FleetMain.class.getName(), "rollout", "--broker", mosquitto.url(), "--bundle", v2.file().toString(),
                    "--canary", "1", "--step", "20", "--max-failures", "10", "--wait-healthy", "30",
                    "--lease", String.valueOf(LEASE.toSeconds()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("first-controller.log").toFile()).start();
            RolloutState atKill;
            try {
                List<MqttRecorder.Received> seen = states.until(r -> parse(r.payload()).getCurrentStep() >= 2,
                        Duration.ofSeconds(60));
                atKill = parse(seen.get(seen.size() - 1).payload());
            } finally {
                first.destroyForcibly().waitFor(); // SIGKILL: no chance to release the lease
            }
            assertEquals(RolloutState.Phase.RUNNING, atKill.getPhase(), Files.readString(dir.resolve("first-controller.log")));
            assertTrue(atKill.getCurrentStep() < atKill.getSteps(), "killed mid-way");

            StringWriter progress = new StringWriter();
            RolloutState end;
            try (RolloutController second = RolloutController.open(broker, "resumed", LEASE, 8, new PrintWriter(progress, true))) {
                end = second.rollout(BundlePublisher.open(v2.file()),
                        new RolloutPolicy(List.of(), 1, 20, 10, 1, Duration.ofSeconds(30)), null);
            }

            assertEquals(RolloutState.Phase.COMPLETED, end.getPhase(), progress.toString());
            assertEquals(atKill.getRolloutId(), end.getRolloutId());
            assertNotEquals(atKill.getControllerId(), end.getControllerId());
            assertTrue(progress.toString().contains("holds the rollout") && progress.toString().contains("resuming"),
                    progress.toString());
            for (DeviceRollout before : atKill.getDevicesList()) {
                if (before.getState() == DeviceRollout.State.HEALTHY) {
                    DeviceRollout after = end.getDevicesList().stream()
                            .filter(d -> d.getDeviceId().equals(before.getDeviceId())).findFirst().orElseThrow();
                    assertEquals(before.getTargetedEpochMillis(), after.getTargetedEpochMillis(),
                            before.getDeviceId() + " was not sent the release again");
                }
            }
            assertEquals(20, count(end, d -> d.getState() == DeviceRollout.State.HEALTHY), progress.toString());
            fleet.awaitAll(a -> a.active().map(m -> m.getVersion() == 2).orElse(false), ACTIVATION, "activated v2");
        }
    }

    @Test
    void rollback_completedRolloutWithADeviceOffline_commandsTheOthersAndSendsItARollbackRelease() throws Exception {
        Release v1 = GoldenReleases.write(dir.resolve("v1.pipit"), "undo", 1, 11, key);
        Release v2 = GoldenReleases.write(dir.resolve("v2.pipit"), "undo", 2, 22, key);
        Path signingKey = dir.resolve("signing.key");
        KeyFiles.writeSigningKey(signingKey, key);
        List<Device> devices = devices("default", 6, "x86-64-dev", "rpi-zero-2w");
        try (SimulatedDevices fleet = startOnVersion1(devices, v1);
             MqttRecorder states = MqttRecorder.subscribe(mosquitto.url(), Topics.rollout("undo"))) {
            try (RolloutController c = RolloutController.open(broker, "undo", LEASE, 8, new PrintWriter(new StringWriter()))) {
                assertEquals(RolloutState.Phase.COMPLETED, c.rollout(BundlePublisher.open(v2.file()),
                        new RolloutPolicy(List.of(), 1, 50, 10, 1, Duration.ofSeconds(30)), null).getPhase());
            }
            fleet.stop("default-06");

            CompletableFuture<CommandRun> rollback = CompletableFuture.supplyAsync(() -> CommandRun.of("rollback",
                    "--broker", mosquitto.url(), "--model", "undo", "--key", signingKey.toString(), "--json"));
            states.until(r -> parse(r.payload()).getDevicesList().stream()
                    .anyMatch(d -> d.getDeviceId().equals("default-06") && d.getRollbackByRelease()), Duration.ofSeconds(40));
            fleet.restart("default-06");
            CommandRun run = rollback.get(60, TimeUnit.SECONDS);

            assertEquals(0, run.exitCode(), run.err());
            JsonNode summary = new ObjectMapper().readTree(run.out());
            assertEquals("HALTED", summary.get("phase").asText());
            assertEquals(3, summary.get("rollbackVersion").asLong());
            assertEquals(6, summary.get("rolledBack").asInt(), run.out());
            assertTrue(run.err().contains("rollback release undo v3 published"), run.err());
            Map<String, byte[]> retained = retained(Topics.manifest("undo"));
            Manifest fleetWide = Manifest.parseFrom(SignedManifest.parseFrom(retained.get(Topics.manifest("undo"))).getManifest());
            assertEquals(3, fleetWide.getVersion(), "the rollback release replaces the completed one fleet-wide");
            assertEquals(sha256s(v1.manifest()), sha256s(fleetWide));
            // Everyone ends on v1's payloads: by command first, then the fleet-wide rollback release.
            fleet.awaitAll(a -> runsPayloadsOf(a, v1.manifest(), 3), ACTIVATION, "returned to the payloads of v1");
            assertEquals(3, fleet.agent("default-06").active().orElseThrow().getVersion());
        }
    }

    // ---- helpers ----

    /** A {@code pipit fleet} command run in this JVM. */
    private record CommandRun(int exitCode, String out, String err) {
        static CommandRun of(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = new CommandLine(new FleetCommand()).setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true)).execute(args);
            return new CommandRun(code, out.toString(), err.toString());
        }
    }

    /** {@code count} devices of a group, ids {@code group-01...}, profiles taken in turn. */
    private static List<Device> devices(String group, int count, String... profiles) {
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new Device(String.format("%s-%02d", group, i + 1), profiles[i % profiles.length], group));
        }
        return out;
    }

    /** Starts the agents and gives them v1 the way a first release goes out: fleet-wide. */
    private SimulatedDevices startOnVersion1(List<Device> devices, Release v1) throws Exception {
        SimulatedDevices fleet = SimulatedDevices.start(mosquitto.url(), dir.resolve("devices"), publicKey, devices);
        try {
            fleet.awaitAll(Agent::isConnected, ACTIVATION, "connected");
            new BundlePublisher(broker, 8, new PrintWriter(new StringWriter())).publish(v1.file());
            String model = v1.manifest().getModelId();
            fleet.awaitAll(a -> a.active().map(m -> m.getModelId().equals(model) && m.getVersion() == 1).orElse(false),
                    ACTIVATION, "activated v1");
            return fleet;
        } catch (Exception | AssertionError e) {
            fleet.close();
            throw e;
        }
    }

    private static boolean runsPayloadsOf(Agent a, Manifest v1, long rollbackVersion) {
        return a.active().map(m -> m.getModelId().equals(v1.getModelId())
                && (m.getVersion() == 1 || m.getVersion() == rollbackVersion && rollbackVersion != 0)).orElse(false);
    }

    private static List<String> sha256s(Manifest m) {
        return m.getVariantsList().stream().map(Variant::getSha256).map(b -> java.util.HexFormat.of().formatHex(b.toByteArray()))
                .toList();
    }

    private static List<DeviceRollout> group(RolloutState s, String group) {
        return s.getDevicesList().stream().filter(d -> d.getGroup().equals(group)).toList();
    }

    private static long count(RolloutState s, Predicate<DeviceRollout> which) {
        return s.getDevicesList().stream().filter(which).count();
    }

    private static RolloutState parse(byte[] payload) {
        try {
            return RolloutState.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, byte[]> retained(String... filters) throws Exception {
        MessageRouter router = new MessageRouter();
        try (BrokerSession session = broker.connect("test-reader", router)) {
            return RetainedMessages.read(session, router, List.of(filters), Duration.ofSeconds(10));
        }
    }
}
