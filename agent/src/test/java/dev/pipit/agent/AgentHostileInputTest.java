package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.pipit.agent.load.ModelLoader;
import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.HostileCorpus;
import dev.pipit.agent.testing.MqttProbe;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over a thousand hostile inputs ({@link HostileCorpus}) fed one after another to a running agent through a
 * real Mosquitto, payloads signed validly so they reach the decoder, the runtime and the golden check. Each
 * must be answered by exactly one Rejection event within a deadline (no hang), none may activate, the agent's
 * threads must live on, and the model it served before must still answer correctly afterwards.
 */
class AgentHostileInputTest {

    private static final String ID = "corpus-dev";
    private static final String RESPONSES = "test/corpus/responses";
    private static final long DEADLINE_MILLIS = 10_000;
    private static final long BUDGET = 64L << 20;
    private static final TinyMlp MLP = TinyMlp.random(5, 16, 8, 4);
    private static final TinyMlp OTHER = TinyMlp.random(6, 16, 8, 4);
    private static final Graph INT8 = MLP.int8(MLP.inputs(2, 64));
    private static final String REJECTION = "application/x-protobuf; proto=pipit.v1.Rejection";
    private static final String MODEL_EVENT = "application/x-protobuf; proto=pipit.v1.ModelEvent";

    @TempDir
    Path dir;

    private MosquittoBroker broker;
    private MqttProbe fleet;
    private Agent agent;

    @BeforeEach
    void start() throws Exception {
        // without TCP_NODELAY, Nagle's algorithm and delayed acknowledgements add ~40 ms to a round trip on loopback
        broker = MosquittoBroker.start(List.of("set_tcp_nodelay true", "max_packet_size 8000000")); // oversized manifests pass
        fleet = MqttProbe.connect(broker.url());
        fleet.subscribe(Topics.ROOT + "/devices/#");
        fleet.subscribe(RESPONSES);
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        fleet.close();
        broker.close();
    }

    private long events(String contentType) {
        return fleet.received().stream().filter(r -> r.topic().equals(Topics.deviceEvents(ID))).map(MqttProbe.Received::message)
                .filter(m -> m.getProperties() != null && contentType.equals(m.getProperties().getContentType())).count();
    }

    private void publish(String topic, byte[] payload) throws Exception {
        assertEquals(0, fleet.publish(topic, payload, true), "the broker refused a publication on " + topic);
    }

    private static DeviceStatus status(org.eclipse.paho.mqttv5.common.MqttMessage m) {
        try {
            return DeviceStatus.parseFrom(m.getPayload());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return DeviceStatus.getDefaultInstance();
        }
    }

    /** The oracle: whether a device could accept {@code payload} under the installed release's manifest. */
    private Predicate<byte[]> acceptable(Manifest template) {
        return payload -> {
            Variant.Builder v = template.getVariants(0).toBuilder().setPayloadBytes(payload.length)
                    .setSha256(ByteString.copyFrom(Chunks.sha256(payload)));
            try {
                Path file = Files.createTempFile(dir, "oracle", ".graph");
                Files.write(file, payload);
                try {
                    ModelLoader.load(template, v.build(), file, "oracle", new RuntimeOptions(1, 1), BUDGET,
                            System.currentTimeMillis()).close();
                    return true;
                } finally {
                    Files.delete(file);
                }
            } catch (BundleException e) {
                return false;
            } catch (Exception e) {
                return false; // anything else: the agent must still answer it with a rejection
            }
        };
    }

    @Test
    void agent_thousandHostileInputs_eachRejectedOnceNoneActivatedAndTheOldModelStillServes() throws Exception {
        KeyPair release = KeyFiles.generate();
        KeyPair rootKey = KeyFiles.generate();
        long now = System.currentTimeMillis();
        byte[] signedRoot = RootSigner.init(new RootSigner.Spec(1, now, now + 86_400_000L, List.of(rootKey.getPublic()), 1,
                List.of(release.getPublic()), 1, Set.of()), List.of(rootKey));
        Path rootFile = dir.resolve("root.json");
        RootFiles.write(rootFile, signedRoot);
        SignedBundle installed = SignedBundle.builder(HostileCorpus.MODEL, 1).variant(HostileCorpus.VARIANT, INT8, 0.88)
                .golden(MLP.inputs(1, 4), 4).chunkBytes(HostileCorpus.CHUNK_BYTES).build(release);
        DeviceProfile device = new DeviceProfile("corpus-device", "test device", 512L << 20, 2, "x86_64", Set.of(), BUDGET,
                100, 0.5);
        agent = Agent.start(AgentConfig.of(broker.url(), ID, device, dir.resolve(ID), List.of(rootFile))
                .withModels(Set.of(HostileCorpus.MODEL)).withStallTimeoutSeconds(3).withChunkWindow(8));
        for (int i = 0; i < installed.chunks(HostileCorpus.VARIANT).size(); i++) {
            publish(installed.chunkTopic(HostileCorpus.VARIANT, i), installed.chunks(HostileCorpus.VARIANT).get(i));
        }
        publish(installed.manifestTopic(), installed.signed().toByteArray());
        fleet.await(r -> r.topic().equals(Topics.deviceStatus(ID)) && serving(1, HostileCorpus.VARIANT).test(status(r.message())),
                FleetSide.WAIT);
        long activations = events(MODEL_EVENT);

        HostileCorpus corpus = new HostileCorpus(installed, GraphCodec.encode(OTHER.int8(OTHER.inputs(2, 64))),
                GraphCodec.encode(MLP.fp32()), release, rootKey, TrustRoot.installed(signedRoot),
                acceptable(installed.manifest()), 20_261_129L);
        List<HostileCorpus.Input> inputs = corpus.generate();
        assertTrue(inputs.size() >= 1000, "only " + inputs.size() + " inputs");

        Map<String, Integer> byKind = new TreeMap<>();
        Map<String, Long> kindMillis = new TreeMap<>();
        List<Long> millis = new ArrayList<>();
        long started = System.nanoTime();
        for (HostileCorpus.Input input : inputs) {
            long before = events(REJECTION);
            long t0 = System.nanoTime();
            for (HostileCorpus.Publication p : input.publications()) {
                publish(p.topic(), p.payload());
            }
            while (events(REJECTION) == before) {
                if (System.nanoTime() - t0 > DEADLINE_MILLIS * 1_000_000) {
                    fail("no rejection within " + DEADLINE_MILLIS + " ms (a hang, or a refusal not reported) for input "
                            + byKind.values().stream().mapToInt(Integer::intValue).sum() + ": " + input.kind() + " v"
                            + input.version());
                }
                Thread.sleep(1);
            }
            millis.add((System.nanoTime() - t0) / 1_000_000);
            kindMillis.merge(input.kind(), millis.get(millis.size() - 1), Long::sum);
            assertEquals(1, agent.active().orElseThrow().getVersion(), () -> "activated by " + input.kind());
            byKind.merge(input.kind(), 1, Integer::sum);
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        Thread.sleep(500); // a second rejection for one input would arrive by now

        assertEquals(inputs.size(), events(REJECTION), "every input answered by exactly one rejection");
        assertEquals(activations, events(MODEL_EVENT), "no activation, rollback or other model event");
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("pipit-agent-" + ID) && t.isAlive()),
                "the agent's thread died");
        CommandResult report = CommandResult.parseFrom(fleet.request(Topics.deviceCommands(ID),
                Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build().toByteArray(), RESPONSES, FleetSide.WAIT));
        assertEquals(CommandResult.Code.OK, report.getCode(), report.getReason());
        float[] x = MLP.inputs(77, 3);
        InferenceResponse r = InferenceResponse.parseFrom(fleet.request(Topics.deviceInfer(ID),
                FleetSide.request(3, x).toByteArray(), RESPONSES, FleetSide.WAIT));
        assertEquals("", r.getError());
        assertEquals(1, r.getVersion());
        assertArrayEquals(FleetSide.local(INT8, x, 3), FleetSide.values(r), 1e-6f);

        Collections.sort(millis);
        System.out.printf("%d hostile inputs in %d s, each rejected once: p50 %d ms, p99 %d ms, max %d ms; "
                        + "payloads a device could accept, left out: %s%n", inputs.size(), seconds, millis.get(millis.size() / 2),
                millis.get(millis.size() * 99 / 100), millis.get(millis.size() - 1), corpus.skipped());
        byKind.forEach((kind, n) -> System.out.printf("  %4d  %5d ms each  %s%n", n, kindMillis.get(kind) / n, kind));
    }
}
