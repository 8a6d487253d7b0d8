package dev.pipit.agent;

import static dev.pipit.agent.testing.FleetSide.serving;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.testing.FleetSide;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Tune;
import dev.pipit.protocol.v1.TuneReport;
import dev.pipit.protocol.v1.VariantMeasurement;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tune command on a manifest whose most accurate variant is too slow for the device: a wide fp32
 * layer (1.3 M multiply-accumulates) against a tiny int8 one (160), with a latency budget between them.
 */
class AgentTuneTest {

    private static final TinyMlp WIDE = TinyMlp.random(7, 16, 65536, 4);
    private static final TinyMlp SMALL = TinyMlp.random(5, 16, 8, 4);
    private static final Graph SLOW_FP32 = WIDE.fp32();
    private static final Graph FAST_INT8 = SMALL.int8(SMALL.inputs(2, 64));
    /** 60 µs: the wide layer streams 5 MiB of fp32 weights per call (over 60 µs below ~90 GB/s), the tiny one needs a few µs. */
    private static final DeviceProfile DEVICE = new DeviceProfile("tune-device", "test device", 512L << 20, 2, "x86_64",
            Set.of(), 8L << 20, 0.060, 0.5);

    @TempDir
    Path dir;

    private FleetSide fleet;
    private Agent agent;

    /**
     * The agent runs in this JVM: have C2 compile the int8 kernels before the test, as a device that has served
     * for a while has, so tune compares compiled kernels; interpreted Vector API code takes ~150 µs for these
     * 160 multiply-accumulates, and on a busy CPU C2 can take longer than tune's warm-up.
     */
    @BeforeAll
    static void compileInt8Kernels() {
        try (Interpreter in = Interpreter.load(FAST_INT8, new RuntimeOptions(1, 1))) {
            float[] x = new float[in.inputSize()], y = new float[in.outputSize()];
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long perRun;
            do {
                long t0 = System.nanoTime();
                for (int i = 0; i < 1_000; i++) {
                    in.run(x, 1, y);
                }
                perRun = (System.nanoTime() - t0) / 1_000;
            } while (perRun > 10_000 && System.nanoTime() < deadline);
        }
    }

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

    private SignedBundle bundle(long version) {
        return SignedBundle.builder("mixed", version).variant("fp32", SLOW_FP32, 0.90).variant("int8", FAST_INT8, 0.88)
                .golden(SMALL.inputs(1, 2), 2).tolerance(1e-3f).chunkBytes(64 << 10).build(fleet.key());
    }

    private void start() throws Exception {
        agent = Agent.start(AgentConfig.of(fleet.url(), "pi-tune", DEVICE, dir.resolve("pi-tune"), List.of(fleet.publicKey())));
    }

    @Test
    void tune_chosenVariantMissesTheLatencyBudget_downloadsMeasuresAndSwitches() throws Exception {
        bundle(1).publish(fleet.client());
        start();
        fleet.awaitStatus("pi-tune", serving(1, "fp32")); // the manifest alone says: the more accurate one

        CommandResult r = fleet.command("pi-tune", Command.newBuilder().setTune(Tune.newBuilder().setIterations(50)).build(),
                Duration.ofSeconds(60));

        assertEquals(CommandResult.Code.OK, r.getCode(), r.getReason());
        assertTrue(r.getReason().contains("switched from fp32 to int8"), r.getReason());
        TuneReport report = fleet.awaitTuneReport("pi-tune", t -> true);
        assertEquals("int8", report.getSelected());
        assertEquals(List.of("fp32", "int8"), report.getVariantsList().stream().map(VariantMeasurement::getVariant).toList());
        VariantMeasurement fp32 = report.getVariants(0);
        VariantMeasurement int8 = report.getVariants(1);
        assertEquals("", fp32.getError() + int8.getError());
        assertFalse(fp32.getMeetsLatency(), fp32.toString());
        assertTrue(int8.getMeetsLatency(), int8.toString());
        assertTrue(fp32.getP50Micros() > int8.getP50Micros());
        assertEquals(bundle(1).variant("fp32").getWeightBytes(), fp32.getWeightBytes());
        assertTrue(fp32.getRetainedHeapBytes() >= fp32.getWeightBytes() / 2, "the heap holds the weights: " + fp32);
        DeviceStatus s = fleet.awaitStatus("pi-tune", x -> serving(1, "int8").test(x) && x.hasLastTune());
        assertEquals(report, s.getLastTune());
        ModelEvent switched = fleet.awaitModelEvent("pi-tune", e -> e.getActive().getVariant().equals("int8"));
        assertTrue(switched.getReason().startsWith("tuned: int8: "), switched.getReason());
        assertTrue(Files.exists(dir.resolve("pi-tune/slots/a/fp32.graph")) && Files.exists(dir.resolve("pi-tune/slots/a/int8.graph")),
                "the variant downloaded for tuning sits beside the active one");
        String tuned = Files.readString(dir.resolve("pi-tune/tuned-profile.properties"));
        assertTrue(tuned.contains("measured.mixed/fp32=version 1 ") && tuned.contains("measured.mixed/int8=version 1 "), tuned);
    }

    @Test
    void select_afterTuning_usesTheMeasuredFiguresForANewVersion() throws Exception {
        bundle(1).publish(fleet.client());
        start();
        fleet.awaitStatus("pi-tune", serving(1, "fp32"));
        fleet.command("pi-tune", Command.newBuilder().setTune(Tune.newBuilder().setIterations(30)).build(),
                Duration.ofSeconds(60));
        fleet.awaitStatus("pi-tune", serving(1, "int8"));
        agent.close();

        start();
        bundle(2).publish(fleet.client());

        DeviceStatus s = fleet.awaitStatus("pi-tune", serving(2, "int8"));
        String reason = s.getActive().getSelectionReason();
        assertTrue(reason.startsWith("int8: fits 8 MiB budget") && reason.contains("fp32 misses the 60 µs latency budget"),
                reason);
    }
}
