package dev.pipit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.agent.Agent;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile or broken releases reach a device that runs version 1 through a real Mosquitto: each is
 * refused with its reason in the device's retained status, and version 1 keeps answering exactly as
 * before. Ends with a good release that does activate, and a replay of version 1 that is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejectedBundlesOverMosquittoTest {

    private static final String DEVICE = "pi4-guarded";
    private static MosquittoBroker broker;
    private static Agent agent;
    private static MqttAsyncClient attacker;
    private static Release release;
    private static LabeledImages images;
    private static float[] answersOfVersion1;
    private static String variant;

    @BeforeAll
    static void runVersion1() throws Exception {
        release = Release.get();
        broker = MosquittoBroker.start();
        agent = Devices.start(broker.url(), DEVICE, "rpi-4b-2gb", Files.createTempDirectory("pipit-e2e-guarded"),
                release.publicKey());
        new BundlePublisher(BrokerEndpoint.anonymous(broker.url()), 8, new PrintWriter(new StringWriter()))
                .publish(release.bundle());
        variant = Devices.await(broker.url(), DEVICE, s -> s.version() != null && s.version() == 1, "version 1").variant();
        images = Devices.testImages();
        answersOfVersion1 = Devices.askDevice(broker.url(), DEVICE, images, 10);
        Devices.assertSameAnswers(Devices.evaluateOffline(release.bundle(), variant, images), answersOfVersion1, variant);
        attacker = new MqttAsyncClient(broker.url(), "fleet-or-attacker", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        attacker.connect(o).waitForCompletion(10_000);
    }

    @AfterAll
    static void stop() throws Exception {
        attacker.disconnect().waitForCompletion(5_000);
        attacker.close();
        agent.close();
        broker.close();
    }

    private static Manifest version(long v) {
        return release.manifest().toBuilder().setVersion(v).build();
    }

    private static void publish(String topic, byte[] payload) throws Exception {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(true);
        attacker.publish(topic, m).waitForCompletion(10_000);
    }

    /** Publishes a release's chunks (with an optional corruption) under its version, manifest last. */
    private static void publishRelease(Manifest manifest, byte[] signedManifest, int corruptChunk) throws Exception {
        BundleFile bundle = BundleFile.open(release.bundle(), BundleLimits.defaults());
        for (Variant v : manifest.getVariantsList()) {
            byte[] payload = bundle.payload(v.getId());
            for (int i = 0; i < Chunks.count(payload.length, v.getChunkBytes()); i++) {
                int from = i * v.getChunkBytes();
                byte[] chunk = Arrays.copyOfRange(payload, from, from + Chunks.size(payload.length, v.getChunkBytes(), i));
                if (i == corruptChunk) {
                    chunk[chunk.length / 2] ^= 0x40;
                }
                publish(Topics.chunk(manifest.getModelId(), manifest.getVersion(), v.getId(), i), chunk);
            }
        }
        publish(Topics.manifest(manifest.getModelId()), signedManifest);
    }

    private static void assertRefusedAndVersion1StillServes(String reasonPart) throws Exception {
        DeviceSummary s = Devices.await(broker.url(), DEVICE,
                x -> x.lastRejection() != null && x.lastRejection().contains(reasonPart), "a rejection: " + reasonPart);
        assertEquals(1L, s.version(), "the active version");
        assertEquals(variant, s.variant());
        float[] now = Devices.askDevice(broker.url(), DEVICE, images, 10);
        assertTrue(Arrays.equals(answersOfVersion1, now), "version 1 answers as before");
    }

    @Test
    @Order(1)
    void manifest_tamperedSignature_refusedAndOldModelServes() throws Exception {
        SignedManifest s = ManifestSigner.sign(version(2), release.signingKey());
        byte[] sig = s.getSignatures(0).getSignature().toByteArray();
        sig[7] ^= 1;
        SignedManifest tampered = s.toBuilder()
                .setSignatures(0, s.getSignatures(0).toBuilder().setSignature(ByteString.copyFrom(sig))).build();
        publishRelease(version(2), tampered.toByteArray(), -1);
        assertRefusedAndVersion1StillServes("does not verify");
    }

    @Test
    @Order(2)
    void manifest_unsigned_refusedAndOldModelServes() throws Exception {
        publish(Topics.manifest(Release.MODEL_ID),
                SignedManifest.newBuilder().setManifest(version(3).toByteString()).build().toByteArray());
        assertRefusedAndVersion1StillServes("unsigned");
    }

    @Test
    @Order(3)
    void manifest_signedByUntrustedKey_refusedAndOldModelServes() throws Exception {
        publish(Topics.manifest(Release.MODEL_ID), ManifestSigner.sign(version(4), KeyFiles.generate()).toByteArray());
        assertRefusedAndVersion1StillServes("untrusted key");
    }

    @Test
    @Order(4)
    void manifest_truncatedBytes_refusedAndOldModelServes() throws Exception {
        byte[] whole = ManifestSigner.sign(version(5), release.signingKey()).toByteArray();
        publish(Topics.manifest(Release.MODEL_ID), Arrays.copyOf(whole, whole.length / 2));
        assertRefusedAndVersion1StillServes("malformed");
    }

    @Test
    @Order(5)
    void chunk_corrupted_refusedAndOldModelServes() throws Exception {
        Manifest v6 = version(6);
        publishRelease(v6, ManifestSigner.sign(v6, release.signingKey()).toByteArray(), 1);
        assertRefusedAndVersion1StillServes("fails its SHA-256");
    }

    @Test
    @Order(6)
    void release_goodAfterRefusals_activatesThenReplayOfVersion1IsRefused() throws Exception {
        Manifest v7 = version(7);
        publishRelease(v7, ManifestSigner.sign(v7, release.signingKey()).toByteArray(), -1);
        Devices.await(broker.url(), DEVICE, s -> s.version() != null && s.version() == 7, "version 7 active");

        publish(Topics.manifest(Release.MODEL_ID), BundleFile.open(release.bundle(), BundleLimits.defaults()).signedManifest());
        DeviceSummary s = Devices.await(broker.url(), DEVICE,
                x -> x.lastRejection() != null && x.lastRejection().contains("rollback refused"), "the replay refused");
        assertEquals(7L, s.version());
    }
}
