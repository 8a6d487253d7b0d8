package dev.pipit.fleet.publish;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Publishes a bundle to the broker: every chunk of every variant retained at QoS 1, then the signed
 * manifest, retained at QoS 1, once the broker has acknowledged every chunk. A device that sees a
 * manifest can therefore always fetch its chunks. Nothing is published from a bundle whose payloads
 * do not match its manifest.
 */
public final class BundlePublisher {

    /** Greengrass allows 5 QoS 1 messages in flight; a few more keep a LAN link busy. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;
    private static final long ACK_TIMEOUT_SECONDS = 60;
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What was published. */
    public record Result(String modelId, long version, int variants, int chunks, long payloadBytes, long millis) {
    }

    private final BrokerEndpoint broker;
    private final int maxInFlight;
    private final PrintWriter progress;

    /**
     * @param maxInFlight QoS 1 publishes awaiting the broker's acknowledgement at once; capped further
     *     by the broker's Receive Maximum
     * @param progress where progress lines go (stderr for commands)
     */
    public BundlePublisher(BrokerEndpoint broker, int maxInFlight, PrintWriter progress) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("at least one message must be allowed in flight, was " + maxInFlight);
        }
        this.broker = broker;
        this.maxInFlight = maxInFlight;
        this.progress = progress;
    }

    public Result publish(Path bundleFile) throws IOException, BundleException {
        long t0 = System.nanoTime();
        BundleFile bundle = BundleFile.open(bundleFile, BundleLimits.defaults());
        Manifest manifest = bundle.manifest();
        int totalChunks = 0;
        long totalBytes = 0;
        for (Variant v : manifest.getVariantsList()) {
            checkChunkHashes(v, bundle.payload(v.getId()));
            totalChunks += v.getChunkSha256Count();
            totalBytes += v.getPayloadBytes();
        }
        progress.printf("publishing %s v%d to %s: %d variants, %d chunks, %d bytes%n", manifest.getModelId(),
                manifest.getVersion(), broker.url(), manifest.getVariantsCount(), totalChunks, totalBytes);
        try (BrokerSession session = broker.connect("pipit-fleet-publish", null)) {
            Window window = new Window(Math.min(maxInFlight, session.serverReceiveMaximum()));
            int published = 0;
            long lastReport = System.nanoTime();
            for (Variant v : manifest.getVariantsList()) {
                byte[] payload = bundle.payload(v.getId());
                for (int i = 0; i < v.getChunkSha256Count(); i++) {
                    String topic = Topics.chunk(manifest.getModelId(), manifest.getVersion(), v.getId(), i);
                    int from = i * v.getChunkBytes();
                    byte[] chunk = Arrays.copyOfRange(payload, from, from + Chunks.size(payload.length, v.getChunkBytes(), i));
                    window.send(session, topic, chunk);
                    published++;
                    if (System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
                        progress.printf("  %d/%d chunks%n", published, totalChunks);
                        lastReport = System.nanoTime();
                    }
                }
                progress.printf("  variant %s: %d chunks of up to %d bytes%n", v.getId(), v.getChunkSha256Count(),
                        v.getChunkBytes());
            }
            window.drain();
            window.send(session, Topics.manifest(manifest.getModelId()), bundle.signedManifest());
            window.drain();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            progress.printf("  manifest published last; done in %d ms%n", millis);
            return new Result(manifest.getModelId(), manifest.getVersion(), manifest.getVariantsCount(), totalChunks,
                    totalBytes, millis);
        }
    }

    /** The manifest binds each chunk by hash; publishing a chunk that devices would reject helps nobody. */
    private static void checkChunkHashes(Variant v, byte[] payload) throws BundleException {
        for (int i = 0; i < v.getChunkSha256Count(); i++) {
            int from = i * v.getChunkBytes();
            byte[] hash = Chunks.sha256(payload, from, Chunks.size(payload.length, v.getChunkBytes(), i));
            if (!Arrays.equals(hash, v.getChunkSha256(i).toByteArray())) {
                throw new BundleException("variant " + v.getId() + " chunk " + i + " does not match its SHA-256 in the manifest");
            }
        }
    }

    /** At most {@code size} QoS 1 publishes unacknowledged; the first failure stops the rest. */
    private static final class Window {
        private final int size;
        private final Semaphore free;
        private final AtomicReference<String> failure = new AtomicReference<>();

        Window(int size) {
            this.size = size;
            this.free = new Semaphore(size);
        }

        void send(BrokerSession session, String topic, byte[] payload) throws IOException {
            acquire(1);
            failIfFailed();
            try {
                session.client().publish(topic, payload, 1, true, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        int[] codes = token.getReasonCodes();
                        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                            failure.compareAndSet(null, "the broker refused " + topic + " with reason code 0x"
                                    + Integer.toHexString(codes[0]) + (codes[0] == 0x87 ? " (not authorized)" : ""));
                        }
                        free.release();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        failure.compareAndSet(null, "publishing " + topic + " failed: " + e.getMessage());
                        free.release();
                    }
                });
            } catch (MqttException e) {
                free.release();
                throw new IOException("publishing " + topic + " failed: " + e.getMessage(), e);
            }
        }

        /** Waits until the broker has acknowledged everything sent. */
        void drain() throws IOException {
            acquire(size);
            free.release(size);
            failIfFailed();
        }

        private void acquire(int permits) throws IOException {
            try {
                if (!free.tryAcquire(permits, ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("the broker acknowledged nothing for " + ACK_TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while publishing", e);
            }
        }

        private void failIfFailed() throws IOException {
            String f = failure.get();
            if (f != null) {
                throw new IOException(f + "; the manifest was not published, so devices ignore the chunks sent");
            }
        }
    }
}
