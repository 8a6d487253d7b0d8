package dev.pipit.fleet.coap;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One release as the CoAP server serves it: the SignedManifest bytes exactly as signed, and every variant
 * payload, each checked against the manifest's whole-payload and per-chunk SHA-256 when loaded: a bundle
 * whose payloads devices would reject is not served at all.
 *
 * @param etag the first 8 bytes of the SHA-256 of the signed manifest: the manifest's CoAP ETag
 */
public record Release(Manifest manifest, byte[] signedManifest, Map<String, byte[]> payloads, byte[] etag) {

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public Release {
        payloads = Map.copyOf(payloads);
    }

    public static Release load(Path bundleFile, BundleLimits limits) throws IOException, BundleException {
        BundleFile bundle = BundleFile.open(bundleFile, limits);
        Manifest m = bundle.manifest();
        segment("model id", m.getModelId());
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        for (Variant v : m.getVariantsList()) {
            segment("variant id", v.getId());
            byte[] payload = bundle.payload(v.getId()); // checks the whole payload's SHA-256
            for (int i = 0; i < v.getChunkSha256Count(); i++) {
                int from = i * v.getChunkBytes();
                byte[] hash = Chunks.sha256(payload, from, Chunks.size(payload.length, v.getChunkBytes(), i));
                if (!Arrays.equals(hash, v.getChunkSha256(i).toByteArray())) {
                    throw new BundleException("variant " + v.getId() + " chunk " + i + " does not match its SHA-256 in"
                            + " the manifest");
                }
            }
            payloads.put(v.getId(), payload);
        }
        byte[] signed = bundle.signedManifest();
        return new Release(m, signed, payloads, Arrays.copyOf(Chunks.sha256(signed), 8));
    }

    public String modelId() {
        return manifest.getModelId();
    }

    public long version() {
        return manifest.getVersion();
    }

    @Override
    public String toString() {
        return manifest.getModelId() + " v" + manifest.getVersion();
    }

    /** Ids become URI path segments and link-format targets; devices also take them as file names. */
    private static void segment(String what, String id) throws BundleException {
        if (!SAFE_ID.matcher(id).matches()) {
            throw new BundleException("bundle " + what + " '" + id + "' cannot name a CoAP resource: ids match "
                    + SAFE_ID.pattern());
        }
    }
}
