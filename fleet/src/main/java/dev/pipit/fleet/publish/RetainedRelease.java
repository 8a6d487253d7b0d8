package dev.pipit.fleet.publish;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.RetainedMessages;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The release a broker retains fleet-wide for a model: the SignedManifest on
 * {@code pipit/v1/models/{model}/manifest}. Read without verifying the signature: the fleet compares
 * versions with it; devices do the verifying.
 *
 * @param signedManifest the bytes as retained
 * @param manifest what they hold
 */
public record RetainedRelease(byte[] signedManifest, Manifest manifest) {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    public long version() {
        return manifest.getVersion();
    }

    /**
     * @throws IOException if the retained message is not a SignedManifest of that model (a broken
     *     release must not be silently replaced: the operator decides, e.g. with {@code --force})
     */
    public static Optional<RetainedRelease> read(BrokerSession session, MessageRouter router, String modelId)
            throws IOException {
        String topic = Topics.manifest(modelId);
        byte[] bytes = RetainedMessages.read(session, router, List.of(topic), TIMEOUT).get(topic);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            Manifest m = Manifest.parseFrom(SignedManifest.parseFrom(bytes).getManifest());
            if (!m.getModelId().equals(modelId)) {
                throw new IOException("the manifest retained on " + topic + " is for model " + m.getModelId());
            }
            return Optional.of(new RetainedRelease(bytes, m));
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the message retained on " + topic + " is not a SignedManifest: " + e.getMessage(), e);
        }
    }
}
