package dev.pipit.fleet.testing;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.v1.DataType;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Real, signed bundles for fleet tests, built without the compress toolkit: a hand-made one-layer fp32
 * graph (800→64, about 200 KB) as two variants that differ in chunking: "fp32-64k" (64 KiB chunks,
 * the largest MQTT messages Pipit sends) and "fp32-4k" (4 KiB chunks, many more messages).
 */
public final class TestBundles {

    /** A bundle on disk and what it must deliver. */
    public record TestBundle(Path file, Manifest manifest, byte[] signedManifest, Map<String, Graph> graphs,
                             Map<String, byte[]> payloads) {

        public int chunkCount() {
            return manifest.getVariantsList().stream().mapToInt(Variant::getChunkSha256Count).sum();
        }
    }

    private TestBundles() {
    }

    public static TestBundle write(Path file, String modelId, long version) throws IOException {
        Random random = new Random(version);
        Graph graph = dense(800, 64, random);
        Map<String, Graph> graphs = new LinkedHashMap<>();
        graphs.put("fp32-64k", graph);
        graphs.put("fp32-4k", graph);
        Map<String, Integer> chunkBytes = Map.of("fp32-64k", 64 << 10, "fp32-4k", 4 << 10);
        Manifest.Builder m = Manifest.newBuilder()
                .setModelId(modelId)
                .setVersion(version)
                .setCreatedEpochMillis(System.currentTimeMillis())
                .setInput(TensorSpec.newBuilder().setName("x").addShape(-1).addShape(800).setType(DataType.FLOAT32))
                .setOutput(TensorSpec.newBuilder().setName("y").addShape(-1).addShape(64).setType(DataType.FLOAT32));
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        for (Map.Entry<String, Graph> e : graphs.entrySet()) {
            byte[] payload = GraphCodec.encode(e.getValue());
            payloads.put(e.getKey(), payload);
            int chunk = chunkBytes.get(e.getKey());
            Variant.Builder v = Variant.newBuilder()
                    .setId(e.getKey())
                    .setTechnique("fp32, hand-made for tests")
                    .setWeightBytes(e.getValue().weightBytes())
                    .setPayloadBytes(payload.length)
                    .setSha256(ByteString.copyFrom(Chunks.sha256(payload)))
                    .setChunkBytes(chunk);
            for (int i = 0; i < Chunks.count(payload.length, chunk); i++) {
                v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, i * chunk, Chunks.size(payload.length, chunk, i))));
            }
            m.addVariants(v);
        }
        Manifest manifest = m.build();
        SignedManifest signed = ManifestSigner.sign(manifest, KeyFiles.generate());
        BundleFile.write(file, signed, List.copyOf(payloads.values()));
        return new TestBundle(file, manifest, signed.toByteArray(), graphs, payloads);
    }

    private static Graph dense(int in, int out, Random random) {
        float[] w = new float[in * out];
        float[] b = new float[out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextGaussian() * 0.01f;
        }
        return new Graph(
                List.of(Tensor.activation("x", dev.pipit.runtime.graph.DataType.FLOAT32, new int[] {-1, in}, null),
                        Tensor.constant("w", w, out, in),
                        Tensor.constant("b", b, out),
                        Tensor.activation("y", dev.pipit.runtime.graph.DataType.FLOAT32, new int[] {-1, out}, null)),
                List.of(new Node("fc", OpType.FULLY_CONNECTED, List.of("x", "w", "b"), List.of("y"))),
                List.of("x"), List.of("y"));
    }
}
