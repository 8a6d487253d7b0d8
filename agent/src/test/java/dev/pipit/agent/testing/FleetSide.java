package dev.pipit.agent.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.TuneReport;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * What the agent tests do from the fleet's side: a Mosquitto broker, a signing key, a client subscribed to
 * every device topic, and typed waits for statuses and events.
 */
public final class FleetSide implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(20);

    private final MosquittoBroker broker;
    private MqttTestClient client;
    private final KeyPair key;
    private final Path publicKey;

    private FleetSide(Path dir, MosquittoBroker broker) throws Exception {
        this.broker = broker;
        this.key = KeyFiles.generate();
        this.publicKey = dir.resolve("fleet.pub");
        KeyFiles.writePublic(publicKey, key.getPublic());
        connect();
    }

    /** Starts a broker (with persistence if asked: retained chunks then survive its restart) and connects. */
    public static FleetSide start(Path dir, boolean persistent) throws Exception {
        return new FleetSide(dir, MosquittoBroker.start(persistent ? List.of("persistence true") : List.of()));
    }

    private void connect() throws Exception {
        client = MqttTestClient.connect(broker.url());
        client.subscribe(Topics.ROOT + "/devices/#");
    }

    public KeyPair key() {
        return key;
    }

    public Path publicKey() {
        return publicKey;
    }

    public MosquittoBroker broker() {
        return broker;
    }

    public MqttTestClient client() {
        return client;
    }

    public String url() {
        return broker.url();
    }

    /** Stops the broker (it saves its persistence file) and drops the fleet client. */
    public void stopBroker() throws Exception {
        client.close();
        broker.stop();
    }

    /** Starts the broker again on the same port (and persistence file) and reconnects the fleet client. */
    public void restartBroker() throws Exception {
        broker.restart();
        connect();
    }

    public DeviceStatus awaitStatus(String id, Predicate<DeviceStatus> condition) throws InterruptedException {
        return await(Topics.deviceStatus(id), DeviceStatus.parser(), condition);
    }

    public Rejection awaitRejection(String id, Predicate<Rejection> condition) throws InterruptedException {
        return awaitEvent(id, "Rejection", Rejection.parser(), condition);
    }

    public ModelEvent awaitModelEvent(String id, Predicate<ModelEvent> condition) throws InterruptedException {
        return awaitEvent(id, "ModelEvent", ModelEvent.parser(), condition);
    }

    public TuneReport awaitTuneReport(String id, Predicate<TuneReport> condition) throws InterruptedException {
        return awaitEvent(id, "TuneReport", TuneReport.parser(), condition);
    }

    /** Events of several types share a topic: the MQTT 5 content type names each. */
    private <T extends Message> T awaitEvent(String id, String type, Parser<T> parser, Predicate<T> condition)
            throws InterruptedException {
        String contentType = "application/x-protobuf; proto=pipit.v1." + type;
        return parse(parser, client.await(Topics.deviceEvents(id), m -> m.getProperties() != null
                && contentType.equals(m.getProperties().getContentType()) && condition.test(parse(parser, m)), WAIT));
    }

    private <T extends Message> T await(String topic, Parser<T> parser, Predicate<T> condition)
            throws InterruptedException {
        return parse(parser, client.await(topic, m -> condition.test(parse(parser, m)), WAIT));
    }

    private static <T extends Message> T parse(Parser<T> parser, MqttMessage m) {
        try {
            return parser.parseFrom(m.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    public static Predicate<DeviceStatus> serving(long version, String variant) {
        return s -> s.getOnline() && s.getActive().getVersion() == version && s.getActive().getVariant().equals(variant);
    }

    public CommandResult command(String id, Command c, Duration timeout) throws Exception {
        return CommandResult.parseFrom(client.request(Topics.deviceCommands(id), c.toByteArray(), timeout));
    }

    public InferenceResponse infer(String id, int batch, float[] x) throws Exception {
        return InferenceResponse.parseFrom(client.request(Topics.deviceInfer(id), request(batch, x).toByteArray(), WAIT));
    }

    public static InferenceRequest request(int batch, float[] x) {
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setBatch(batch);
        for (float v : x) {
            r.addValues(v);
        }
        return r.build();
    }

    /** What a graph computes for {@code batch} samples, on this JVM. */
    public static float[] local(Graph graph, float[] x, int batch) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(batch, 1))) {
            float[] y = new float[batch * interpreter.outputSize()];
            interpreter.run(x, batch, y);
            return y;
        }
    }

    public static float[] values(InferenceResponse r) {
        float[] v = new float[r.getValuesCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getValues(i);
        }
        return v;
    }

    @Override
    public void close() throws Exception {
        client.close();
        broker.close();
    }
}
