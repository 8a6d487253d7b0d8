package dev.pipit.fleet.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.fleet.testing.MqttRecorder;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetStatusTest {

    private static final Duration SETTLE = Duration.ofMillis(400);

    @TempDir
    Path dir;
    private MosquittoBroker mosquitto;

    @BeforeEach
    void startBroker() throws Exception {
        mosquitto = MosquittoBroker.start();
    }

    @AfterEach
    void stopBroker() throws Exception {
        mosquitto.close();
    }

    @Test
    void collect_retainedStatusAndMemory_summarisesEachDevice() throws Exception {
        Map<String, byte[]> messages = new LinkedHashMap<>();
        messages.put(Topics.deviceStatus("pi-a"), DeviceStatus.newBuilder()
                .setDeviceId("pi-a").setProfile("rpi-zero-2w").setGroup("kitchen").setOnline(true).setEpochMillis(1_000)
                .setActive(ActiveModel.newBuilder().setModelId("fashion-mlp").setVersion(3).setVariant("int8")
                        .setSelectionReason("fp32 needs 941 KiB, budget 512 KiB"))
                .setMemory(memory(10, 500))
                .build().toByteArray());
        messages.put(Topics.deviceMemory("pi-a"), memory(20, 900).toByteArray());
        messages.put(Topics.deviceStatus("pi-b"), DeviceStatus.newBuilder()
                .setDeviceId("pi-b").setProfile("rpi-4b-2gb").setOnline(false).setEpochMillis(2_000)
                .setLastRejection(Rejection.newBuilder().setModelId("fashion-mlp").setVersion(2)
                        .setReason("manifest version 2 is older than the active version 3"))
                .build().toByteArray());
        messages.put(Topics.deviceMemory("pi-c"), memory(30, 700).toByteArray());
        publish(messages);

        List<DeviceSummary> devices = FleetStatus.collect(BrokerEndpoint.anonymous(mosquitto.url()), SETTLE);

        assertEquals(List.of("pi-a", "pi-b", "pi-c"), devices.stream().map(DeviceSummary::id).toList());
        DeviceSummary a = devices.get(0);
        assertEquals(new DeviceSummary("pi-a", "rpi-zero-2w", "kitchen", true, "fashion-mlp", 3L, "int8",
                "fp32 needs 941 KiB, budget 512 KiB", null, MemorySummary.of(memory(20, 900)), 1_000L), a);
        DeviceSummary b = devices.get(1);
        assertEquals(false, b.online());
        assertNull(b.model());
        assertNull(b.memory());
        assertEquals("manifest version 2 is older than the active version 3", b.lastRejection());
        DeviceSummary c = devices.get(2);
        assertNull(c.profile());
        assertEquals(30L << 20, c.memory().rssBytes());
    }

    @Test
    void collect_statusMemoryNewerThanReport_prefersTheNewer() throws Exception {
        publish(Map.of(
                Topics.deviceStatus("pi-a"), DeviceStatus.newBuilder().setDeviceId("pi-a").setOnline(true)
                        .setMemory(memory(40, 2_000)).build().toByteArray(),
                Topics.deviceMemory("pi-a"), memory(20, 1_000).toByteArray()));

        List<DeviceSummary> devices = FleetStatus.collect(BrokerEndpoint.anonymous(mosquitto.url()), SETTLE);

        assertEquals(40L << 20, devices.get(0).memory().rssBytes());
    }

    @Test
    void collect_malformedMessage_skipsItAndKeepsTheOthers() throws Exception {
        publish(Map.of(
                Topics.deviceStatus("broken"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff},
                Topics.deviceStatus("fine"), DeviceStatus.newBuilder().setDeviceId("fine").setOnline(true)
                        .build().toByteArray()));

        List<DeviceSummary> devices = FleetStatus.collect(BrokerEndpoint.anonymous(mosquitto.url()), SETTLE);

        assertEquals(List.of("fine"), devices.stream().map(DeviceSummary::id).toList());
    }

    @Test
    void collect_noDevices_returnsEmpty() throws Exception {
        assertTrue(FleetStatus.collect(BrokerEndpoint.anonymous(mosquitto.url()), SETTLE).isEmpty());
    }

    private void publish(Map<String, byte[]> messages) throws Exception {
        MqttRecorder.publishRetained(mosquitto.url(), messages);
    }

    static MemoryReport memory(int rssMiB, long epochMillis) {
        return MemoryReport.newBuilder()
                .setEpochMillis(epochMillis)
                .setRssBytes((long) rssMiB << 20).setPeakRssBytes((long) (rssMiB + 5) << 20)
                .setHeapUsedBytes(9L << 20).setHeapCommittedBytes(16L << 20)
                .setWeightBytes(236_328).setArenaBytes(4_096)
                .setPredictedWeightBytes(236_328).setPredictedPeakBytes(4_352)
                .build();
    }
}
