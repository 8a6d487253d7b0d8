package dev.pipit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.Agent;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.protocol.v1.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The walking skeleton's loop, run against whichever broker a subclass provides. */
abstract class RolloutScenario {

    /** The broker's URL, started by the subclass. */
    abstract String brokerUrl();

    @Test
    void publish_signedBundle_devicesActivateTheirVariantReportMemoryAndAnswerLikeOfflineEvaluation() throws Exception {
        Release release = Release.get();
        Path states = Files.createTempDirectory("pipit-e2e-devices");
        String[][] devices = {{"zero-01", "rpi-zero-2w"}, {"dev-box", "x86-64-dev"}};
        Agent[] agents = new Agent[devices.length];
        try {
            for (int i = 0; i < devices.length; i++) {
                agents[i] = Devices.start(brokerUrl(), devices[i][0], devices[i][1], states, release.publicKey());
            }
            new BundlePublisher(BrokerEndpoint.anonymous(brokerUrl()), BundlePublisher.DEFAULT_MAX_IN_FLIGHT,
                    new PrintWriter(new StringWriter())).publish(release.bundle());

            LabeledImages images = Devices.testImages();
            for (String[] d : devices) {
                String expected = Devices.expectedVariant(release.manifest(), d[1]);
                DeviceSummary s = Devices.await(brokerUrl(), d[0],
                        x -> x.version() != null && x.version() == 1 && x.memory() != null && x.memory().weightBytes() > 0,
                        "version 1 active with a memory report");
                assertEquals(Release.MODEL_ID, s.model());
                assertEquals(expected, s.variant(), d[0] + " (" + d[1] + ") chose " + s.variant() + ": " + s.selectionReason());
                Variant v = release.manifest().getVariantsList().stream()
                        .filter(x -> x.getId().equals(expected)).findFirst().orElseThrow();
                assertEquals(v.getWeightBytes(), s.memory().weightBytes(), "weights as loaded vs manifest");
                assertEquals(v.getWeightBytes(), s.memory().predictedWeightBytes());
                assertTrue(s.memory().rssBytes() > 0 && s.memory().heapUsedBytes() > 0, s.memory().toString());

                float[] offline = Devices.evaluateOffline(release.bundle(), expected, images);
                float[] device = Devices.askDevice(brokerUrl(), d[0], images, 10);
                Devices.assertSameAnswers(offline, device, expected);
            }
        } finally {
            for (Agent a : agents) {
                if (a != null) {
                    a.close();
                }
            }
        }
    }
}
