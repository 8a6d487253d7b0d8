package dev.pipit.fleet.coap;

import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * Signed bundles that real agents accept (TinyMlp fp32 graphs with golden outputs, from the agent's test
 * helpers), with the chunk size a CoAP test needs: one variant "fp32" of an {@code in}-{@code hidden}-10 MLP.
 */
final class CoapReleases {

    static final String VARIANT = "fp32";

    /** A bundle on disk, and its variant's payload. */
    record Written(Path file, Manifest manifest, byte[] payload) {
        Variant variant() {
            return manifest.getVariants(0);
        }
    }

    private CoapReleases() {
    }

    static Written write(Path file, String model, long version, int in, int hidden, int chunkBytes, KeyPair key)
            throws IOException {
        TinyMlp mlp = TinyMlp.random(version * 31 + hidden, in, hidden, 10);
        SignedBundle b = SignedBundle.builder(model, version).chunkBytes(chunkBytes).tolerance(1e-4f)
                .golden(mlp.inputs(version, 4), 4).variant(VARIANT, mlp.fp32(), 0.9).build(key);
        byte[] payload = b.payload(VARIANT);
        BundleFile.write(file, b.signed(), List.of(payload));
        return new Written(file, b.manifest(), payload);
    }
}
