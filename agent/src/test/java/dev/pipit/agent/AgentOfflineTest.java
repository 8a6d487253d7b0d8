package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.local;
import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.runtime.graph.Graph;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a broker the device keeps serving on its local socket and keeps its newest reports for later. */
class AgentOfflineTest {

    private static final TinyMlp MLP = TinyMlp.random(5, 16, 8, 4);
    private static final Graph INT8 = MLP.int8(MLP.inputs(2, 64));

    @TempDir
    Path dir;

    private FleetSide fleet;
    private Agent agent;

    @BeforeEach
    void startBroker() throws Exception {
        fleet = FleetSide.start(dir, false);
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        fleet.close();
    }

    /** One framed request/response on the agent's Unix domain socket. */
    static InferenceResponse askLocally(Path socket, int batch, float[] x) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            byte[] request = FleetSide.request(batch, x).toByteArray();
            ByteBuffer out = ByteBuffer.allocate(4 + request.length).putInt(request.length).put(request).flip();
            while (out.hasRemaining()) {
                c.write(out);
            }
            ByteBuffer header = ByteBuffer.allocate(4);
            while (header.hasRemaining() && c.read(header) >= 0) {
                // the length first
            }
            ByteBuffer body = ByteBuffer.allocate(header.flip().getInt());
            while (body.hasRemaining() && c.read(body) >= 0) {
                // then the response
            }
            return InferenceResponse.parseFrom(body.array());
        }
    }

    @Test
    void offline_brokerDown_servesLocallyBuffersNewestReportsAndCountsTheDropped() throws Exception {
        SignedBundle v1 = SignedBundle.builder("tiny", 1).variant("int8", INT8, 0.88).golden(MLP.inputs(1, 4), 4)
                .chunkBytes(64).build(fleet.key());
        v1.publish(fleet.client());
        Path socket = dir.resolve("agent.sock");
        DeviceProfile device = new DeviceProfile("small", "test device", 512L << 20, 2, "x86_64", Set.of(), 1 << 20, 100, 0.5);
        agent = Agent.start(AgentConfig.of(fleet.url(), "pi-off", device, dir.resolve("pi-off"), List.of(fleet.publicKey()))
                .withReportIntervalSeconds(1).withOfflineBuffer(4).withLocalSocket(socket));
        fleet.awaitStatus("pi-off", serving(1, "int8"));

        fleet.stopBroker();
        for (int i = 0; i < 100 && agent.isConnected(); i++) {
            Thread.sleep(50);
        }
        float[] x = MLP.inputs(6, 2);
        InferenceResponse r = askLocally(socket, 2, x);
        assertEquals("", r.getError());
        assertArrayEquals(local(INT8, x, 2), FleetSide.values(r));
        Thread.sleep(5000); // five periodic reports of a status and a memory report each: more than 4 fit

        long restarted = System.currentTimeMillis();
        fleet.restartBroker();

        DeviceStatus back = fleet.awaitStatus("pi-off", s -> s.getOnline() && s.getDroppedReports() > 0);
        assertTrue(back.getDroppedReports() >= 4, back.toString());
        // the status can overtake the reconnection's own memory report: wait for that one too
        fleet.client().await(Topics.deviceMemory("pi-off"), m -> memoryReport(m).getTrigger().equals("connect"),
                Duration.ofSeconds(10));
        List<MemoryReport> received = fleet.client().messages(Topics.deviceMemory("pi-off")).stream()
                .map(AgentOfflineTest::memoryReport).toList();
        long birth = received.stream().filter(m -> m.getTrigger().equals("connect")).findFirst().orElseThrow()
                .getEpochMillis();
        assertTrue(received.stream().anyMatch(m -> m.getTrigger().equals("periodic") && m.getEpochMillis() < birth),
                "a report taken offline arrives after the reconnection: " + received.stream()
                        .map(m -> m.getTrigger() + "@" + (m.getEpochMillis() - restarted)).toList());
        assertEquals("", askLocally(socket, 1, MLP.inputs(7, 1)).getError());
    }

    private static MemoryReport memoryReport(MqttMessage m) {
        try {
            return MemoryReport.parseFrom(m.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
