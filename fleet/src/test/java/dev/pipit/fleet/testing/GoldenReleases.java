package dev.pipit.fleet.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * Signed releases that real agents accept, built like the agent's own tests build them (TinyMlp graphs,
 * golden outputs measured with the runtime's Interpreter, SignedBundle), written as bundle files. The
 * two-variant release is a 784-192-10 MLP: "fp32" (about 610 KB of weights, accuracy 0.90) fits every
 * profile but rpi-zero-2w (512 KiB budget), which takes "int8" (about 150 KB, accuracy 0.88).
 */
public final class GoldenReleases {

    public static final String FP32 = "fp32";
    public static final String INT8 = "int8";
    private static final int IN = 784;
    private static final int OUT = 10;
    private static final int GOLDEN_SAMPLES = 8;

    /** A bundle on disk. */
    public record Release(Path file, Manifest manifest, byte[] signedManifest) {
        public Variant variant(String id) {
            return manifest.getVariantsList().stream().filter(v -> v.getId().equals(id)).findFirst().orElseThrow();
        }
    }

    private GoldenReleases() {
    }

    /** fp32 and int8 variants of a 784-192-10 MLP whose weights follow from {@code seed}. */
    public static Release write(Path file, String model, long version, long seed, KeyPair key) throws IOException {
        return write(file, build(model, version, seed, 192, true, key), null, key);
    }

    /** As {@link #write}, but the golden outputs of {@code wrongVariant} are off by 0.5: validly signed, and refused. */
    public static Release writeWrongGolden(Path file, String model, long version, long seed, String wrongVariant,
                                           KeyPair key) throws IOException {
        return write(file, build(model, version, seed, 192, true, key), wrongVariant, key);
    }

    /** One fp32 variant of a 784-{@code hidden}-10 MLP: hidden 320 makes a 1 MB payload. */
    public static Release writeFp32(Path file, String model, long version, long seed, int hidden, KeyPair key)
            throws IOException {
        return write(file, build(model, version, seed, hidden, false, key), null, key);
    }

    private static SignedBundle build(String model, long version, long seed, int hidden, boolean withInt8, KeyPair key) {
        TinyMlp mlp = TinyMlp.random(seed, IN, hidden, OUT);
        float[] golden = mlp.inputs(seed + 1, GOLDEN_SAMPLES);
        SignedBundle.Builder b = SignedBundle.builder(model, version).chunkBytes(64 << 10).tolerance(1e-4f)
                .golden(golden, GOLDEN_SAMPLES).variant(FP32, mlp.fp32(), 0.90);
        if (withInt8) {
            b.variant(INT8, mlp.int8(mlp.inputs(seed + 2, 64)), 0.88);
        }
        return b.build(key);
    }

    private static Release write(Path file, SignedBundle bundle, String wrongVariant, KeyPair key) throws IOException {
        SignedManifest signed = bundle.signed();
        if (wrongVariant != null) {
            Manifest.Builder m = bundle.manifest().toBuilder();
            for (Variant.Builder v : m.getVariantsBuilderList()) {
                if (v.getId().equals(wrongVariant)) {
                    GoldenOutputs.Builder g = v.getGoldenBuilder();
                    for (int i = 0; i < g.getValuesCount(); i++) {
                        g.setValues(i, g.getValues(i) + 0.5f);
                    }
                }
            }
            signed = ManifestSigner.sign(m.build(), key);
        }
        List<byte[]> payloads = new ArrayList<>();
        for (Variant v : bundle.manifest().getVariantsList()) {
            payloads.add(bundle.payload(v.getId()));
        }
        BundleFile.write(file, signed, payloads);
        try {
            return new Release(file, Manifest.parseFrom(signed.getManifest()), signed.toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
