package dev.pipit.fleet.rollout;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.RetainedMessages;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A rollback as TUF and Uptane prescribe it: devices refuse a lower version than one they accepted
 * (a retained message makes replaying an old release trivial), so going back means a new release with
 * a higher version that carries the previous release's payloads, signed again. The payloads come from
 * the broker, where the previous release's chunks are still retained, and are checked against the
 * previous manifest before anything is published.
 */
final class RollbackRelease {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private RollbackRelease() {
    }

    /**
     * The previous release under a new version, signed with {@code key}.
     *
     * @throws BundleException if the previous release is not signed by that key: re-signing what the key
     *     never vouched for would launder whatever is retained on the broker
     */
    static SignedManifest sign(byte[] previousSignedManifest, long version, KeyPair key) throws BundleException {
        Manifest previous = new ManifestVerifier(List.of(key.getPublic()), BundleLimits.defaults())
                .verify(previousSignedManifest);
        if (version <= previous.getVersion()) {
            throw new IllegalArgumentException("a rollback release needs a version above " + previous.getVersion());
        }
        return ManifestSigner.sign(previous.toBuilder().setVersion(version)
                .setCreatedEpochMillis(System.currentTimeMillis()).build(), key);
    }

    static Manifest manifest(SignedManifest signed) {
        try {
            return Manifest.parseFrom(signed.getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a manifest signed here does not parse", e);
        }
    }

    /** The previous release's payloads, one variant at a time, reassembled from its retained chunks and checked. */
    static BundlePublisher.Payloads payloadsOnBroker(BrokerSession session, MessageRouter router, Manifest previous) {
        return variantId -> {
            Variant v = previous.getVariantsList().stream().filter(x -> x.getId().equals(variantId)).findFirst()
                    .orElseThrow(() -> new BundleException("v" + previous.getVersion() + " has no variant " + variantId));
            String filter = Topics.chunks(previous.getModelId(), previous.getVersion(), variantId);
            Map<String, byte[]> chunks = RetainedMessages.read(session, router, List.of(filter), READ_TIMEOUT);
            byte[] payload = new byte[Math.toIntExact(v.getPayloadBytes())];
            for (int i = 0; i < v.getChunkSha256Count(); i++) {
                byte[] chunk = chunks.get(Topics.chunk(previous.getModelId(), previous.getVersion(), variantId, i));
                if (chunk == null) {
                    throw new IOException("chunk " + i + " of " + previous.getModelId() + " v" + previous.getVersion()
                            + " " + variantId + " is no longer retained on the broker: cannot rebuild that release");
                }
                int expected = Chunks.size(payload.length, v.getChunkBytes(), i);
                if (chunk.length != expected) {
                    throw new BundleException("retained chunk " + i + " of " + variantId + " has " + chunk.length
                            + " bytes, the manifest of v" + previous.getVersion() + " says " + expected);
                }
                System.arraycopy(chunk, 0, payload, i * v.getChunkBytes(), chunk.length);
            }
            BundlePublisher.checkChunks(v, payload);
            if (!Arrays.equals(Chunks.sha256(payload), v.getSha256().toByteArray())) {
                throw new BundleException("the retained chunks of " + variantId + " do not make the payload of v"
                        + previous.getVersion());
            }
            return payload;
        };
    }
}
