package dev.pipit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.cli.demo.InferenceClient;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.fleet.status.FleetStatus;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.profile.DeviceProfiles;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** What the end-to-end tests do with devices: start agents, watch the fleet's view, ask for inferences. */
final class Devices {

    static final int IMAGES = 100;

    private Devices() {
    }

    static Agent start(String brokerUrl, String id, String profile, Path stateRoot, Path trustedKey) throws Exception {
        DeviceProfile p = DeviceProfiles.load(profile);
        return Agent.start(AgentConfig.of(brokerUrl, id, p, Files.createDirectories(stateRoot.resolve(id)),
                List.of(trustedKey)).withReportIntervalSeconds(2));
    }

    /** Polls the fleet's view (retained status and memory) until {@code condition} holds for the device. */
    static DeviceSummary await(String brokerUrl, String id, Predicate<DeviceSummary> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        DeviceSummary last = null;
        while (System.nanoTime() < deadline) {
            for (DeviceSummary s : FleetStatus.collect(BrokerEndpoint.anonymous(brokerUrl), Duration.ofMillis(300))) {
                if (s.id().equals(id)) {
                    last = s;
                    if (condition.test(s)) {
                        return s;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("device " + id + " never reported " + what + "; last seen: " + last);
    }

    /** The variant the selection rule must pick: fits the memory budget, meets the floor, most accurate. */
    static String expectedVariant(Manifest m, String profile) {
        DeviceProfile p = DeviceProfiles.load(profile);
        Optional<Variant> best = m.getVariantsList().stream()
                .filter(v -> v.getWeightBytes() + v.getPlannedPeakBytes() <= p.modelMemoryBudgetBytes())
                .filter(v -> v.getAccuracy() >= p.accuracyFloor())
                .max(Comparator.comparingDouble(Variant::getAccuracy)
                        .thenComparing(Comparator.comparingLong((Variant v) -> v.getWeightBytes() + v.getPlannedPeakBytes()).reversed()));
        return best.orElseThrow().getId();
    }

    static LabeledImages testImages() throws Exception {
        return FashionMnist.test(FashionMnist.DEFAULT_DIR).slice(0, IMAGES);
    }

    /** The device's answers for the first {@value #IMAGES} test images, asked in batches of 20. */
    static float[] askDevice(String brokerUrl, String id, LabeledImages images, int outputs) throws Exception {
        float[] answers = new float[images.count() * outputs];
        try (InferenceClient client = InferenceClient.connect(brokerUrl)) {
            for (int from = 0; from < images.count(); from += 20) {
                float[] x = new float[20 * images.imageSize()];
                images.copyImages(from, 20, x, 0);
                InferenceResponse r = client.infer(id, x, 20, Duration.ofSeconds(10));
                assertEquals("", r.getError(), "device " + id + " refused inference");
                assertEquals(20 * outputs, r.getValuesCount());
                for (int i = 0; i < r.getValuesCount(); i++) {
                    answers[from * outputs + i] = r.getValues(i);
                }
            }
        }
        return answers;
    }

    /** The offline evaluation of the same variant: the bundle's payload run by the runtime in this JVM. */
    static float[] evaluateOffline(Path bundle, String variant, LabeledImages images) throws Exception {
        byte[] payload = BundleFile.open(bundle, BundleLimits.defaults()).payload(variant);
        try (Interpreter interpreter = Interpreter.load(GraphCodec.decode(payload), new RuntimeOptions(images.count(), 1))) {
            float[] x = new float[images.count() * images.imageSize()];
            images.copyImages(0, images.count(), x, 0);
            float[] y = new float[images.count() * interpreter.outputSize()];
            interpreter.run(x, images.count(), y);
            return y;
        }
    }

    static void assertSameAnswers(float[] offline, float[] device, String variant) {
        assertEquals(offline.length, device.length);
        // int8 kernels are deterministic: identical; fp32 may sum in another order on another thread split.
        float tolerance = variant.startsWith("int8") ? 0f : 1e-4f;
        for (int i = 0; i < offline.length; i++) {
            assertTrue(Math.abs(offline[i] - device[i]) <= tolerance,
                    "output " + i + ": offline " + offline[i] + ", device " + device[i]);
        }
    }
}
