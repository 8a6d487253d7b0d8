package dev.pipit.fleet.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.Variant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

    private static final long ACTIVATED = 1_000;

    /** 6 golden samples of 2 inputs, 3 outputs each; variant int8's golden argmax is 0, 1, 2, 0, 1, 2. */
    private static final Manifest MANIFEST = Manifest.newBuilder()
            .setModelId("m").setVersion(2)
            .setGolden(GoldenInputs.newBuilder().setCount(6).addAllValues(List.of(
                    1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f)))
            .addVariants(Variant.newBuilder().setId("int8").setGolden(GoldenOutputs.newBuilder()
                    .addAllValues(List.of(0.9f, 0f, 0f, 0f, 0.9f, 0f, 0f, 0f, 0.9f, 0.9f, 0f, 0f, 0f, 0.9f, 0f,
                            0f, 0f, 0.9f))
                    .addAllArgmax(List.of(0, 1, 2, 0, 1, 2)).setTolerance(0.01f)))
            .build();

    private static DeviceStatus.Builder status(long version) {
        return DeviceStatus.newBuilder().setDeviceId("d").setOnline(true)
                .setActive(ActiveModel.newBuilder().setModelId("m").setVersion(version).setVariant("int8")
                        .setActivatedEpochMillis(ACTIVATED));
    }

    private static MemoryReport.Builder memory(long epoch) {
        return MemoryReport.newBuilder().setVariant("int8").setEpochMillis(epoch)
                .setWeightBytes(100_000).setArenaBytes(20_000).setPredictedWeightBytes(100_000).setBudgetBytes(512 << 10);
    }

    @Test
    void judge_releaseActiveWithFreshMemoryWithinBudget_asksForTheProbe() {
        HealthCheck.Verdict v = HealthCheck.judge("m", 2, status(2).build(), memory(ACTIVATED + 5).build());
        assertEquals("int8", assertInstanceOf(HealthCheck.Verdict.Probe.class, v).active().getVariant());
    }

    @Test
    void judge_rejectionOfTheRelease_failsWithItsReason() {
        DeviceStatus s = status(1).setLastRejection(Rejection.newBuilder().setModelId("m").setVersion(2)
                .setVariant("int8").setReason("variant int8 fails its golden check: sample 2 predicts class 4")).build();
        HealthCheck.Verdict v = HealthCheck.judge("m", 2, s, null);
        assertTrue(assertInstanceOf(HealthCheck.Verdict.Failed.class, v).reason().contains("golden check"), v.toString());
    }

    @Test
    void judge_rejectionOfAnotherVersion_keepsWaiting() {
        DeviceStatus s = status(1).setLastRejection(Rejection.newBuilder().setModelId("m").setVersion(1)
                .setReason("version 1 of m is not newer than version 1")).build();
        assertInstanceOf(HealthCheck.Verdict.Waiting.class, HealthCheck.judge("m", 2, s, null));
    }

    @Test
    void judge_memoryReportFromBeforeActivation_keepsWaiting() {
        HealthCheck.Verdict v = HealthCheck.judge("m", 2, status(2).build(), memory(ACTIVATED - 1).build());
        assertTrue(assertInstanceOf(HealthCheck.Verdict.Waiting.class, v).missing().contains("memory"), v.toString());
    }

    @Test
    void judge_overBudget_fails() {
        MemoryReport m = memory(ACTIVATED).setArenaBytes(600 << 10).build();
        HealthCheck.Verdict v = HealthCheck.judge("m", 2, status(2).build(), m);
        assertTrue(assertInstanceOf(HealthCheck.Verdict.Failed.class, v).reason().contains("budget"), v.toString());
    }

    @Test
    void judge_weightsFarAbovePrediction_fails() {
        MemoryReport m = memory(ACTIVATED).setBudgetBytes(0).setWeightBytes(200_000).build();
        assertInstanceOf(HealthCheck.Verdict.Failed.class, HealthCheck.judge("m", 2, status(2).build(), m));
    }

    @Test
    void probe_goldenSamples_firstFourOfThem() {
        InferenceRequest r = HealthCheck.probe(MANIFEST);
        assertEquals(HealthCheck.PROBE_SAMPLES, r.getBatch());
        assertEquals(List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f), r.getValuesList());
    }

    @Test
    void probeFailure_goldenAnswer_none() {
        assertEquals(Optional.empty(), HealthCheck.probeFailure(answer(0.9f, 0), MANIFEST, "int8"));
    }

    @Test
    void probeFailure_wrongClassOrValueOrError_namesIt() {
        assertTrue(HealthCheck.probeFailure(answer(0.9f, 1), MANIFEST, "int8").orElseThrow().contains("predicts class 1"));
        assertTrue(HealthCheck.probeFailure(answer(0.5f, 0), MANIFEST, "int8").orElseThrow().contains("within"));
        assertTrue(HealthCheck.probeFailure(InferenceResponse.newBuilder().setError("inference failed: NaN").build(),
                MANIFEST, "int8").orElseThrow().contains("NaN"));
        assertTrue(HealthCheck.probeFailure(answer(0.9f, 0).toBuilder().setVersion(1).build(), MANIFEST, "int8")
                .orElseThrow().contains("v1"));
    }

    /** The golden answer for the first 4 samples, with sample 0's top value and class replaced. */
    private static InferenceResponse answer(float top, int firstClass) {
        InferenceResponse.Builder r = InferenceResponse.newBuilder().setModelId("m").setVersion(2).setVariant("int8");
        Variant v = MANIFEST.getVariants(0);
        for (int i = 0; i < 12; i++) {
            r.addValues(i == 0 ? top : v.getGolden().getValues(i));
        }
        r.addArgmax(firstClass);
        for (int s = 1; s < 4; s++) {
            r.addArgmax(v.getGolden().getArgmax(s));
        }
        return r.build();
    }
}
