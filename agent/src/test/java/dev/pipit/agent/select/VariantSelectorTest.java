package dev.pipit.agent.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VariantSelectorTest {

    private static final long KIB = 1024;

    private static DeviceProfile profile(long budgetBytes, double accuracyFloor) {
        return new DeviceProfile("test-device", "a test device", 512 * KIB * KIB, 4, "aarch64", Set.of("neon"),
                budgetBytes, 50, accuracyFloor);
    }

    private static Variant variant(String id, long weightBytes, long peakBytes, double accuracy) {
        return Variant.newBuilder().setId(id).setWeightBytes(weightBytes).setPlannedPeakBytes(peakBytes)
                .setAccuracy(accuracy).build();
    }

    private static Manifest manifest(Variant... variants) {
        Manifest.Builder m = Manifest.newBuilder().setModelId("fashion").setVersion(3);
        for (Variant v : variants) {
            m.addVariants(v);
        }
        return m.build();
    }

    @Test
    void select_bothFit_picksHigherAccuracyAndNamesTheOther() {
        Selection s = VariantSelector.select(manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885),
                variant("int8", 200 * KIB, 41 * KIB, 0.879)), profile(1024 * KIB, 0.8));

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("fp32", c.variant().getId());
        assertEquals("fp32: fits 1 MiB budget (940 KiB), highest accuracy 88.5% of 2 that fit", c.reason());
    }

    @Test
    void select_largerVariantExceedsBudget_picksTheOneThatFits() {
        Selection s = VariantSelector.select(manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885),
                variant("int8", 200 * KIB, 41 * KIB, 0.879)), profile(512 * KIB, 0.8));

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("int8", c.variant().getId());
        assertEquals("int8: fits 512 KiB budget (241 KiB), accuracy 87.9%, the only variant that fits;"
                + " fp32 needs 940 KiB", c.reason());
    }

    @Test
    void select_nothingFits_explainsEveryVariant() {
        Selection s = VariantSelector.select(manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885),
                variant("int8", 200 * KIB, 41 * KIB, 0.879)), profile(128 * KIB, 0.8));

        Selection.NoneFits n = assertInstanceOf(Selection.NoneFits.class, s);
        assertEquals("no variant of fashion v3 fits test-device (budget 128 KiB, accuracy floor 80.0%):"
                + " fp32 needs 940 KiB; int8 needs 241 KiB", n.reason());
    }

    @Test
    void select_variantBelowAccuracyFloor_isExcludedEvenIfSmaller() {
        Selection s = VariantSelector.select(manifest(variant("int4", 50 * KIB, 20 * KIB, 0.70),
                variant("int8", 200 * KIB, 41 * KIB, 0.879)), profile(512 * KIB, 0.8));

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("int8", c.variant().getId());
        assertEquals("int8: fits 512 KiB budget (241 KiB), accuracy 87.9%, the only variant that fits;"
                + " int4 is below the accuracy floor (70.0% < 80.0%)", c.reason());
    }

    @Test
    void select_onlyVariantBelowFloor_rejects() {
        Selection s = VariantSelector.select(manifest(variant("int4", 50 * KIB, 20 * KIB, 0.70)), profile(512 * KIB, 0.8));

        assertInstanceOf(Selection.NoneFits.class, s);
    }

    @Test
    void select_equalAccuracy_picksFewerBytes() {
        Selection s = VariantSelector.select(manifest(variant("a", 300 * KIB, 10 * KIB, 0.9),
                variant("b", 100 * KIB, 10 * KIB, 0.9), variant("c", 200 * KIB, 10 * KIB, 0.9)), profile(512 * KIB, 0.5));

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("b", c.variant().getId());
        assertEquals("b: fits 512 KiB budget (110 KiB), highest accuracy 90.0% of 3 that fit,"
                + " fewest bytes among equally accurate", c.reason());
    }

    @Test
    void select_equalAccuracyAndBytes_keepsManifestOrder() {
        Selection s = VariantSelector.select(manifest(variant("first", 100 * KIB, 10 * KIB, 0.9),
                variant("second", 100 * KIB, 10 * KIB, 0.9)), profile(512 * KIB, 0.5));

        assertEquals("first", assertInstanceOf(Selection.Chosen.class, s).variant().getId());
    }

    @Test
    void select_exactlyAtBudget_fits() {
        Selection s = VariantSelector.select(manifest(variant("int8", 400 * KIB, 112 * KIB, 0.9)), profile(512 * KIB, 0.5));

        assertEquals("int8", assertInstanceOf(Selection.Chosen.class, s).variant().getId());
    }

    @Test
    void select_declaredSizesOverflowLong_doesNotFit() {
        Variant huge = variant("huge", Long.MAX_VALUE, Long.MAX_VALUE, 0.99);

        assertInstanceOf(Selection.NoneFits.class, VariantSelector.select(manifest(huge), profile(512 * KIB, 0.5)));
    }

    @Test
    void maxBatch_budgetHeadroom_buysThatManyBatchOneArenas() {
        DeviceProfile p = profile(512 * KIB, 0.5);

        assertEquals(8, VariantSelector.maxBatch(variant("int8", 256 * KIB, 32 * KIB, 0.9), p, 32));
        assertEquals(32, VariantSelector.maxBatch(variant("int8", 256 * KIB, 1 * KIB, 0.9), p, 32));
        assertEquals(1, VariantSelector.maxBatch(variant("int8", 500 * KIB, 12 * KIB, 0.9), p, 32));
        assertEquals(1, VariantSelector.maxBatch(variant("int8", 600 * KIB, 12 * KIB, 0.9), p, 32));
    }

    private static DeviceProfile profileWithLatency(long budgetBytes, double latencyMillis) {
        return new DeviceProfile("test-device", "a test device", 512 * KIB * KIB, 4, "aarch64", Set.of("neon"),
                budgetBytes, latencyMillis, 0.8);
    }

    @Test
    void select_measuredTooSlow_passesOverTheMostAccurate() {
        Manifest m = manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885), variant("int8", 200 * KIB, 41 * KIB, 0.879));

        Selection s = VariantSelector.select(m, profileWithLatency(1024 * KIB, 2),
                v -> v.getId().equals("fp32") ? 3100 : 900);

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("int8", c.variant().getId());
        assertEquals("int8: fits 1 MiB budget (241 KiB), accuracy 87.9%, the only variant that fits, measured p50 900 µs;"
                + " fp32 misses the 2 ms latency budget (measured p50 3.1 ms)", c.reason());
    }

    @Test
    void select_everyVariantTooSlow_picksTheFastestMeasured() {
        Manifest m = manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885), variant("int8", 200 * KIB, 41 * KIB, 0.879));

        Selection s = VariantSelector.select(m, profileWithLatency(1024 * KIB, 0.5),
                v -> v.getId().equals("fp32") ? 3100 : 900);

        Selection.Chosen c = assertInstanceOf(Selection.Chosen.class, s);
        assertEquals("int8", c.variant().getId());
        assertEquals("int8: fits 1 MiB budget (241 KiB), the fastest measured (p50 900 µs), though no variant meets the"
                + " 500 µs latency budget; fp32 p50 3.1 ms", c.reason());
    }

    @Test
    void select_unmeasuredVariant_isNotPassedOver() {
        Manifest m = manifest(variant("fp32", 800 * KIB, 140 * KIB, 0.885), variant("int8", 200 * KIB, 41 * KIB, 0.879));

        Selection s = VariantSelector.select(m, profileWithLatency(1024 * KIB, 2), v -> v.getId().equals("int8") ? 900 : -1);

        assertEquals("fp32", assertInstanceOf(Selection.Chosen.class, s).variant().getId());
    }
}
