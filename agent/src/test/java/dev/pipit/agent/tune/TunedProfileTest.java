package dev.pipit.agent.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pipit.protocol.v1.TuneReport;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.protocol.v1.VariantMeasurement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunedProfileTest {

    @TempDir
    Path dir;

    private static final Variant INT8 = Variant.newBuilder().setId("int8").setMacs(234752).setWeightBytes(236328).build();
    private static final Variant FP32 = Variant.newBuilder().setId("fp32").setMacs(234752).setWeightBytes(940584).build();

    private static TuneReport report() {
        return TuneReport.newBuilder().setModelId("fashion").setVersion(3).setEpochMillis(1_700_000_000_000L)
                .addVariants(VariantMeasurement.newBuilder().setVariant("int8").setP50Micros(52).setP90Micros(61)
                        .setThreads(2).setArenaBytes(1040).setMaxBatch(32).setRetainedHeapBytes(250_000))
                .addVariants(VariantMeasurement.newBuilder().setVariant("fp32").setError("download failed: stalled"))
                .build();
    }

    @Test
    void record_thenReopen_givesTheFiguresToTheSameVariantOfANewVersion() throws Exception {
        TunedProfile.open(dir, "rpi-zero-2w").record(report(), Map.of("int8", INT8, "fp32", FP32));

        TunedProfile reopened = TunedProfile.open(dir, "rpi-zero-2w");

        TunedProfile.Measured m = reopened.lookup("fashion", INT8.toBuilder().build());
        assertEquals(52, m.p50Micros());
        assertEquals(2, m.threads());
        assertEquals(3, m.version());
        assertEquals(52, reopened.latencies("fashion").p50Micros(INT8));
        assertEquals(-1, reopened.latencies("fashion").p50Micros(FP32), "an error is no figure");
    }

    @Test
    void lookup_variantWithOtherWork_hasNoFigures() throws Exception {
        TunedProfile p = TunedProfile.open(dir, "rpi-zero-2w");
        p.record(report(), Map.of("int8", INT8));

        assertNull(p.lookup("fashion", INT8.toBuilder().setMacs(1_000_000).build()));
        assertNull(p.lookup("other-model", INT8));
    }

    @Test
    void open_measuredUnderAnotherProfileOrDamaged_isEmpty() throws Exception {
        TunedProfile.open(dir, "rpi-zero-2w").record(report(), Map.of("int8", INT8));

        assertNull(TunedProfile.open(dir, "rpi-5-8gb").lookup("fashion", INT8));
        Files.writeString(dir.resolve(TunedProfile.FILE), "profile=rpi-zero-2w\nmeasured.fashion/int8=version x\n");
        assertNull(TunedProfile.open(dir, "rpi-zero-2w").lookup("fashion", INT8));
    }

    @Test
    void percentile_nearestRank() {
        long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

        assertEquals(50, Benchmark.percentile(sorted, 50));
        assertEquals(90, Benchmark.percentile(sorted, 90));
        assertEquals(7, Benchmark.percentile(new long[] {7}, 90));
    }
}
