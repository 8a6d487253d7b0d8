package dev.pipit.fleet.publish;

import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.PublishWindow;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a bundle to the broker: every chunk of every variant retained at QoS 1, then the signed
 * manifest, retained at QoS 1, once the broker has acknowledged every chunk. A device that sees a
 * manifest can therefore always fetch its chunks. Nothing is published from a bundle whose payloads
 * do not match its manifest, nor (unless forced) from one whose version is not newer than the release
 * the broker retains for the model: devices would refuse it as a rollback.
 */
public final class BundlePublisher {

    /** Greengrass allows 5 QoS 1 messages in flight; a few more keep a LAN link busy. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What was published. */
    public record Result(String modelId, long version, int variants, int chunks, long payloadBytes, long millis) {
    }

    /** The payload of a variant, by id. */
    @FunctionalInterface
    public interface Payloads {
        byte[] payload(String variantId) throws IOException, BundleException;
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

    /** Publishes a release newer than the one retained. */
    public Result publish(Path bundleFile) throws IOException, BundleException {
        return publish(bundleFile, false);
    }

    /** @param force publish even if the broker retains a release of the same or a newer version */
    public Result publish(Path bundleFile, boolean force) throws IOException, BundleException {
        long t0 = System.nanoTime();
        BundleFile bundle = open(bundleFile);
        Manifest manifest = bundle.manifest();
        MessageRouter router = new MessageRouter();
        try (BrokerSession session = broker.connect("pipit-fleet-publish", router)) {
            if (!force) {
                requireNewer(manifest, RetainedRelease.read(session, router, manifest.getModelId()));
            }
            Result chunks = publishChunks(session, manifest, bundle::payload);
            PublishWindow window = new PublishWindow(session, 1);
            window.send(Topics.manifest(manifest.getModelId()), bundle.signedManifest(), true);
            window.drain();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            progress.printf("  manifest published last; done in %d ms%n", millis);
            return new Result(chunks.modelId(), chunks.version(), chunks.variants(), chunks.chunks(),
                    chunks.payloadBytes(), millis);
        }
    }

    /** Opens a bundle and checks every chunk of every variant against the manifest before anything is sent. */
    public static BundleFile open(Path bundleFile) throws IOException, BundleException {
        BundleFile bundle = BundleFile.open(bundleFile, BundleLimits.defaults());
        for (Variant v : bundle.manifest().getVariantsList()) {
            checkChunks(v, bundle.payload(v.getId()));
        }
        return bundle;
    }

    /**
     * Publishes every chunk of every variant, retained, and waits for the broker's acknowledgements; not
     * the manifest. If this fails, devices never learn of the chunks sent.
     */
    public Result publishChunks(BrokerSession session, Manifest manifest, Payloads payloads)
            throws IOException, BundleException {
        long t0 = System.nanoTime();
        int totalChunks = manifest.getVariantsList().stream().mapToInt(Variant::getChunkSha256Count).sum();
        long totalBytes = manifest.getVariantsList().stream().mapToLong(Variant::getPayloadBytes).sum();
        progress.printf("publishing %s v%d to %s: %d variants, %d chunks, %d bytes%n", manifest.getModelId(),
                manifest.getVersion(), broker.url(), manifest.getVariantsCount(), totalChunks, totalBytes);
        PublishWindow window = new PublishWindow(session, maxInFlight);
        int published = 0;
        long lastReport = System.nanoTime();
        try {
            for (Variant v : manifest.getVariantsList()) {
                byte[] payload = payloads.payload(v.getId());
                for (int i = 0; i < v.getChunkSha256Count(); i++) {
                    int from = i * v.getChunkBytes();
                    window.send(Topics.chunk(manifest.getModelId(), manifest.getVersion(), v.getId(), i),
                            Arrays.copyOfRange(payload, from, from + Chunks.size(payload.length, v.getChunkBytes(), i)),
                            true);
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
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; the manifest was not published, so devices ignore the chunks sent", e);
        }
        progress.flush();
        return new Result(manifest.getModelId(), manifest.getVersion(), manifest.getVariantsCount(), totalChunks,
                totalBytes, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Devices refuse a version that is not newer than one they accepted: publishing it only makes noise. */
    public static void requireNewer(Manifest manifest, Optional<RetainedRelease> retained) throws BundleException {
        if (retained.isPresent() && retained.get().version() >= manifest.getVersion()) {
            throw new BundleException(manifest.getModelId() + " v" + manifest.getVersion() + " is not newer than v"
                    + retained.get().version() + ", the release the broker retains; devices would refuse it as a "
                    + "rollback (publish a higher version, or --force to replace the retained release anyway)");
        }
    }

    /** The manifest binds each chunk by hash; publishing a chunk that devices would reject helps nobody. */
    public static void checkChunks(Variant v, byte[] payload) throws BundleException {
        if (payload.length != v.getPayloadBytes()) {
            throw new BundleException("variant " + v.getId() + " has " + payload.length + " bytes, its manifest says "
                    + v.getPayloadBytes());
        }
        for (int i = 0; i < v.getChunkSha256Count(); i++) {
            int from = i * v.getChunkBytes();
            byte[] hash = Chunks.sha256(payload, from, Chunks.size(payload.length, v.getChunkBytes(), i));
            if (!Arrays.equals(hash, v.getChunkSha256(i).toByteArray())) {
                throw new BundleException("variant " + v.getId() + " chunk " + i + " does not match its SHA-256 in the manifest");
            }
        }
    }
}
