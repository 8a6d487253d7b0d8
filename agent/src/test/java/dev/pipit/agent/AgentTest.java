package dev.pipit.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.agent.testing.MqttTestClient;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Rollback;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against a real Mosquitto, fed by a fleet-side Paho client, as on a device. */
class AgentTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TinyMlp MLP = TinyMlp.random(5, 16, 8, 4);
    private static final Graph FP32 = MLP.fp32();
    private static final Graph INT8 = MLP.int8(MLP.inputs(2, 64));

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private MosquittoBroker broker;
    private MqttTestClient fleet;
    private KeyPair key;
    private Path publicKey;

    @BeforeEach
    void startBroker() throws Exception {
        broker = MosquittoBroker.start();
        fleet = MqttTestClient.connect(broker.url());
        fleet.subscribe(Topics.ROOT + "/devices/#");
        key = KeyFiles.generate();
        publicKey = dir.resolve("fleet.pub");
        KeyFiles.writePublic(publicKey, key.getPublic());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        fleet.close();
        broker.close();
    }

    private SignedBundle bundle(long version) {
        return SignedBundle.builder("tiny", version)
                .variant("fp32", FP32, 0.90)
                .variant("int8", INT8, 0.88)
                .golden(MLP.inputs(1, 4), 4)
                .chunkBytes(64)
                .build(key);
    }

    /** A device with room for the int8 variant but not the fp32 one. */
    private static DeviceProfile smallDevice(SignedBundle b) {
        long int8 = need(b.variant("int8"));
        long fp32 = need(b.variant("fp32"));
        assertTrue(int8 < fp32, "the int8 variant must be the smaller one");
        return profile("small-device", (int8 + fp32) / 2);
    }

    private static DeviceProfile profile(String name, long budget) {
        return new DeviceProfile(name, "test device", 512L << 20, 2, "x86_64", Set.of(), budget, 100, 0.5);
    }

    private static long need(Variant v) {
        return v.getWeightBytes() + v.getPlannedPeakBytes();
    }

    private Agent start(String id, DeviceProfile profile, String brokerUrl) throws Exception {
        AgentConfig config = AgentConfig.of(brokerUrl, id, profile, dir.resolve(id), List.of(publicKey))
                .withChunkWindow(3).withStallTimeoutSeconds(2);
        Agent agent = Agent.start(config);
        resources.add(agent);
        return agent;
    }

    private DeviceStatus awaitStatus(String id, Predicate<DeviceStatus> condition) throws InterruptedException {
        return status(fleet.await(Topics.deviceStatus(id), m -> condition.test(status(m)), WAIT));
    }

    private static DeviceStatus status(MqttMessage m) {
        try {
            return DeviceStatus.parseFrom(m.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private Rejection awaitRejection(String id, Predicate<Rejection> condition) throws InterruptedException {
        return parseRejection(fleet.await(Topics.deviceEvents(id), m -> isA(m, "Rejection")
                && condition.test(parseRejection(m)), WAIT));
    }

    private ModelEvent awaitEvent(String id, Predicate<ModelEvent> condition) throws InterruptedException {
        return modelEvent(fleet.await(Topics.deviceEvents(id), m -> isA(m, "ModelEvent") && condition.test(modelEvent(m)),
                WAIT));
    }

    /** Events of several types share a topic: the MQTT 5 content type names each. */
    static boolean isA(MqttMessage m, String type) {
        return m.getProperties() != null
                && ("application/x-protobuf; proto=pipit.v1." + type).equals(m.getProperties().getContentType());
    }

    private static ModelEvent modelEvent(MqttMessage m) {
        try {
            return ModelEvent.parseFrom(m.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static Rejection parseRejection(MqttMessage m) {
        try {
            return Rejection.parseFrom(m.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static Predicate<DeviceStatus> serving(long version, String variant) {
        return s -> s.getOnline() && s.getActive().getVersion() == version && s.getActive().getVariant().equals(variant);
    }

    private InferenceResponse infer(String id, int batch, float[] x) throws Exception {
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setBatch(batch);
        for (float v : x) {
            r.addValues(v);
        }
        return InferenceResponse.parseFrom(fleet.request(Topics.deviceInfer(id), r.build().toByteArray(), WAIT));
    }

    private static float[] local(Graph graph, float[] x, int batch) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(batch, 1))) {
            float[] y = new float[batch * interpreter.outputSize()];
            interpreter.run(x, batch, y);
            return y;
        }
    }

    private static float[] values(InferenceResponse r) {
        float[] v = new float[r.getValuesCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getValues(i);
        }
        return v;
    }

    /** Live threads whose name mentions a device (Paho names its threads after the client id). */
    private static List<String> threadsNamed(String id) throws InterruptedException {
        List<String> names = List.of();
        for (int i = 0; i < 100; i++) {
            names = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.contains(id)).toList();
            if (names.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        return names;
    }

    private List<Path> files(String id) throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve(id))) {
            return s.filter(Files::isRegularFile).map(dir.resolve(id)::relativize).sorted().toList();
        }
    }

    @Test
    void agent_signedBundle_activatesFittingVariantReportsAndServesInference() throws Exception {
        SignedBundle v1 = bundle(1);
        v1.publish(fleet); // retained before the device exists, as a fleet does
        Agent agent = start("pi-1", smallDevice(v1), broker.url());

        DeviceStatus status = awaitStatus("pi-1", serving(1, "int8"));
        assertEquals("small-device", status.getProfile());
        assertTrue(status.getActive().getSelectionReason().startsWith("int8: fits "), status.getActive().getSelectionReason());
        assertTrue(status.getActive().getSelectionReason().contains("fp32 needs "), status.getActive().getSelectionReason());
        assertTrue(status.getSequence() >= 1);
        assertEquals(status.getActive(), agent.active().orElseThrow());

        MemoryReport memory;
        try (MqttTestClient late = MqttTestClient.connect(broker.url())) { // retained: a late subscriber gets it
            late.subscribe(Topics.deviceMemory("pi-1"));
            MqttMessage retained = late.await(Topics.deviceMemory("pi-1"), m -> true, WAIT);
            assertTrue(retained.isRetained());
            memory = MemoryReport.parseFrom(retained.getPayload());
        }
        assertEquals("int8", memory.getVariant());
        assertEquals(v1.variant("int8").getWeightBytes(), memory.getWeightBytes());
        assertEquals(v1.variant("int8").getWeightBytes(), memory.getPredictedWeightBytes());
        assertEquals(v1.variant("int8").getPlannedPeakBytes(), memory.getPredictedPeakBytes());
        assertTrue(memory.getArenaBytes() > 0 && memory.getRssBytes() > memory.getHeapUsedBytes() / 2, memory.toString());
        assertTrue(memory.getHeapMaxBytes() >= memory.getHeapCommittedBytes(), memory.toString());
        assertTrue(memory.getWeightBytes() + memory.getArenaBytes() <= smallDevice(v1).modelMemoryBudgetBytes(),
                "as loaded, the model stays within the budget: " + memory);

        float[] x = MLP.inputs(9, 3);
        InferenceResponse r = infer("pi-1", 3, x);
        assertEquals("", r.getError());
        float[] expected = local(INT8, x, 3);
        assertArrayEquals(expected, values(r));
        for (int s = 0; s < 3; s++) {
            assertEquals(SignedBundle.argmax(expected, s * 4, 4), r.getArgmax(s));
        }
        assertEquals("tiny", r.getModelId());
        assertEquals(1, r.getVersion());
        assertEquals("int8", r.getVariant());

        InferenceResponse wrong = infer("pi-1", 2, new float[20]);
        assertEquals("batch 2 of 16 inputs needs 32 values, got 20", wrong.getError());

        assertEquals(List.of(Path.of("slots/a/int8.graph"), Path.of("slots/a/manifest.pb"),
                Path.of("state.properties")), files("pi-1"));
        assertArrayEquals(v1.payload("int8"), Files.readAllBytes(dir.resolve("pi-1/slots/a/int8.graph")));
        ModelEvent activated = awaitEvent("pi-1", e -> true);
        assertEquals(ModelEvent.Kind.ACTIVATED, activated.getKind());
        assertEquals(status.getActive(), activated.getActive());
        assertFalse(activated.hasPrevious());

        CommandResult ok = CommandResult.parseFrom(fleet.request(Topics.deviceCommands("pi-1"),
                Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build().toByteArray(), WAIT));
        assertEquals(CommandResult.Code.OK, ok.getCode());
        CommandResult nothingToRollBackTo = CommandResult.parseFrom(fleet.request(Topics.deviceCommands("pi-1"),
                Command.newBuilder().setRollback(Rollback.newBuilder().setExpectedVersion(1)).build().toByteArray(), WAIT));
        assertEquals(CommandResult.Code.REJECTED, nothingToRollBackTo.getCode());
        assertEquals("there is no model to roll back to", nothingToRollBackTo.getReason());
    }

    @Test
    void agent_tamperedSignatureThenCorruptChunk_rejectsBothAndKeepsServingTheOldModel() throws Exception {
        SignedBundle v1 = bundle(1);
        v1.publish(fleet);
        start("pi-2", smallDevice(v1), broker.url());
        awaitStatus("pi-2", serving(1, "int8"));

        SignedBundle v2 = bundle(2);
        fleet.publish(v2.manifestTopic(), v2.tamperedSignature().toByteArray(), true);
        Rejection forged = awaitRejection("pi-2", r -> r.getReason().contains("signature"));
        assertEquals("manifest signature by key " + KeyFiles.keyId(key.getPublic()) + " does not verify",
                forged.getReason());
        assertEquals(forged, awaitStatus("pi-2", s -> s.hasLastRejection()
                && s.getLastRejection().getReason().equals(forged.getReason())).getLastRejection());

        List<byte[]> chunks = v2.chunks("int8");
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            if (i == 2) {
                c[c.length - 1] ^= 0x40; // damaged on its way to the broker
            }
            fleet.publish(v2.chunkTopic("int8", i), c, true);
        }
        fleet.publish(v2.manifestTopic(), v2.signed().toByteArray(), true);
        Rejection corrupt = awaitRejection("pi-2", r -> r.getVersion() == 2);
        assertEquals("chunk 2 of variant int8 fails its SHA-256", corrupt.getReason());
        assertEquals("int8", corrupt.getVariant());
        DeviceStatus status = awaitStatus("pi-2", s -> s.getLastRejection().getVersion() == 2);
        assertEquals(1, status.getActive().getVersion());

        float[] x = MLP.inputs(10, 1);
        InferenceResponse r = infer("pi-2", 1, x);
        assertEquals(1, r.getVersion());
        assertArrayEquals(local(INT8, x, 1), values(r));
        assertEquals(List.of(Path.of("slots/a/int8.graph"), Path.of("slots/a/manifest.pb"),
                Path.of("state.properties")), files("pi-2"), "a rejected download is never promoted");
    }

    @Test
    void agent_newerVersionThenOlderAgain_upgradesThenRefusesRollback() throws Exception {
        SignedBundle v1 = bundle(1);
        v1.publish(fleet);
        Agent agent = start("pi-3", profile("roomy-device", 1 << 20), broker.url());
        awaitStatus("pi-3", serving(1, "fp32")); // both fit: the more accurate one

        SignedBundle v2 = bundle(2);
        v2.publish(fleet);
        awaitStatus("pi-3", serving(2, "fp32"));
        float[] x = MLP.inputs(11, 2);
        assertArrayEquals(local(FP32, x, 2), values(infer("pi-3", 2, x)));

        fleet.publish(v1.manifestTopic(), v1.signed().toByteArray(), true); // replaying an old signed release
        Rejection rollback = awaitRejection("pi-3", r -> r.getVersion() == 1);
        assertEquals("version 1 of tiny is not newer than version 2, already accepted (rollback refused)",
                rollback.getReason());
        assertEquals(2, agent.active().orElseThrow().getVersion());
    }

    @Test
    void agent_stalledDownload_reportsTimeoutThenResumesWhenTheManifestComesAgain() throws Exception {
        SignedBundle v1 = bundle(1);
        List<byte[]> chunks = v1.chunks("int8");
        for (int i = 0; i < 2; i++) {
            fleet.publish(v1.chunkTopic("int8", i), chunks.get(i), true); // the rest is not published yet
        }
        fleet.publish(v1.manifestTopic(), v1.signed().toByteArray(), true);
        start("pi-4", smallDevice(v1), broker.url());

        Rejection stalled = awaitRejection("pi-4", r -> r.getReason().contains("stalled"));
        assertEquals("download of tiny v1 int8 stalled: no chunk for 2 s, " + (chunks.size() - 2) + " of "
                + chunks.size() + " chunks missing", stalled.getReason());
        assertTrue(Files.exists(dir.resolve("pi-4/downloads/tiny/1/int8.partial")), "kept for resuming");

        v1.publish(fleet); // the fleet publishes the missing chunks and the manifest again
        awaitStatus("pi-4", serving(1, "int8"));
        assertFalse(Files.exists(dir.resolve("pi-4/downloads/tiny/1/int8.partial")));
    }

    @Test
    void agent_restartWithoutBroker_restoresItsLastGoodModelFromDisk() throws Exception {
        SignedBundle v1 = bundle(1);
        v1.publish(fleet);
        DeviceProfile profile = smallDevice(v1);
        Agent first = start("pi-5", profile, broker.url());
        DeviceStatus birth = awaitStatus("pi-5", serving(1, "int8"));
        first.close();
        assertEquals(List.of(), threadsNamed("pi-5"), "a closed agent leaves no thread behind");
        DeviceStatus offline = awaitStatus("pi-5", s -> !s.getOnline());
        assertEquals(birth.getSequence(), offline.getSequence(), "the offline status pairs with the birth");
        broker.stop();

        Agent second = start("pi-5", profile, broker.url());

        ActiveModel restored = second.active().orElseThrow();
        assertEquals(birth.getActive(), restored);
        assertFalse(second.isConnected());
        broker.restart(); // on the same port: the agent reconnects to it
        fleet = MqttTestClient.connect(broker.url());
        fleet.subscribe(Topics.deviceStatus("pi-5"));
        DeviceStatus reborn = awaitStatus("pi-5", serving(1, "int8"));
        assertEquals(birth.getSequence() + 1, reborn.getSequence());
    }

    @Test
    void agent_twoAgentsInOneJvm_eachSelectsForItsOwnProfile() throws Exception {
        SignedBundle v1 = bundle(1);
        v1.publish(fleet);

        start("pi-small", smallDevice(v1), broker.url());
        start("pi-big", profile("roomy-device", 1 << 20), broker.url());

        awaitStatus("pi-small", serving(1, "int8"));
        awaitStatus("pi-big", serving(1, "fp32"));
        float[] x = MLP.inputs(12, 1);
        assertArrayEquals(local(INT8, x, 1), values(infer("pi-small", 1, x)));
        assertArrayEquals(local(FP32, x, 1), values(infer("pi-big", 1, x)));
    }
}
