package dev.pipit.agent.testing;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.DataType;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A signed model release built the way the fleet builds one, from hand-made graphs: payloads from
 * GraphCodec, sizes and golden outputs measured with the runtime's Interpreter, chunk and payload
 * hashes, an Ed25519 signature. Publishes itself as retained MQTT messages on the v1 topics.
 */
public final class SignedBundle {

    private final SignedManifest signed;
    private final Manifest manifest;
    private final Map<String, byte[]> payloads;

    private SignedBundle(SignedManifest signed, Map<String, byte[]> payloads) {
        this.signed = signed;
        this.payloads = payloads;
        try {
            this.manifest = Manifest.parseFrom(signed.getManifest());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Builder builder(String modelId, long version) {
        return new Builder(modelId, version);
    }

    public SignedManifest signed() {
        return signed;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Variant variant(String id) {
        return manifest.getVariantsList().stream().filter(v -> v.getId().equals(id)).findFirst().orElseThrow();
    }

    public byte[] payload(String id) {
        return payloads.get(id).clone();
    }

    /** The payload of a variant cut into its chunks. */
    public List<byte[]> chunks(String id) {
        Variant v = variant(id);
        byte[] p = payloads.get(id);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < v.getChunkSha256Count(); i++) {
            int start = i * v.getChunkBytes();
            chunks.add(Arrays.copyOfRange(p, start, start + Chunks.size(p.length, v.getChunkBytes(), i)));
        }
        return chunks;
    }

    /** The same manifest with one bit of its signature flipped. */
    public SignedManifest tamperedSignature() {
        byte[] sig = signed.getSignatures(0).getSignature().toByteArray();
        sig[sig.length / 2] ^= 1;
        return signed.toBuilder().setSignatures(0, signed.getSignatures(0).toBuilder()
                .setSignature(ByteString.copyFrom(sig))).build();
    }

    public String manifestTopic() {
        return Topics.manifest(manifest.getModelId());
    }

    public String chunkTopic(String variantId, int index) {
        return Topics.chunk(manifest.getModelId(), manifest.getVersion(), variantId, index);
    }

    /** Publishes every chunk of every variant, then the manifest, all retained at QoS 1. */
    public void publish(MqttTestClient client) {
        for (Variant v : manifest.getVariantsList()) {
            List<byte[]> chunks = chunks(v.getId());
            for (int i = 0; i < chunks.size(); i++) {
                client.publish(chunkTopic(v.getId(), i), chunks.get(i), true);
            }
        }
        client.publish(manifestTopic(), signed.toByteArray(), true);
    }

    public static final class Builder {

        private final String modelId;
        private final long version;
        private final Map<String, Graph> graphs = new LinkedHashMap<>();
        private final Map<String, Double> accuracies = new LinkedHashMap<>();
        private float[] golden = new float[0];
        private int goldenCount;
        private int chunkBytes = 256;
        private float tolerance = 1e-5f;

        private Builder(String modelId, long version) {
            this.modelId = modelId;
            this.version = version;
        }

        public Builder variant(String id, Graph graph, double accuracy) {
            graphs.put(id, graph);
            accuracies.put(id, accuracy);
            return this;
        }

        /** Golden inputs: {@code count} samples, row-major. */
        public Builder golden(float[] inputs, int count) {
            this.golden = inputs.clone();
            this.goldenCount = count;
            return this;
        }

        public Builder chunkBytes(int bytes) {
            this.chunkBytes = bytes;
            return this;
        }

        public Builder tolerance(float tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        public SignedBundle build(KeyPair key) {
            Manifest.Builder m = Manifest.newBuilder()
                    .setModelId(modelId)
                    .setVersion(version)
                    .setCreatedEpochMillis(System.currentTimeMillis())
                    .setGolden(GoldenInputs.newBuilder().setCount(goldenCount).addAllValues(boxed(golden)));
            Map<String, byte[]> payloads = new LinkedHashMap<>();
            for (Map.Entry<String, Graph> e : graphs.entrySet()) {
                byte[] payload = GraphCodec.encode(e.getValue());
                payloads.put(e.getKey(), payload);
                Variant.Builder v = Variant.newBuilder()
                        .setId(e.getKey())
                        .setTechnique("hand-made test graph")
                        .setAccuracy(accuracies.get(e.getKey()))
                        .setPayloadBytes(payload.length)
                        .setSha256(ByteString.copyFrom(Chunks.sha256(payload)))
                        .setChunkBytes(chunkBytes)
                        .setEvaluatedOn("not evaluated: test fixture");
                for (int start = 0; start < payload.length; start += chunkBytes) {
                    v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, start,
                            Math.min(chunkBytes, payload.length - start))));
                }
                try (Interpreter one = Interpreter.load(e.getValue(), new RuntimeOptions(1, 1))) {
                    v.setWeightBytes(one.weightBytes()).setPlannedPeakBytes(one.arenaBytes());
                    m.setInput(spec("x", one.inputSize())).setOutput(spec("y", one.outputSize()));
                }
                if (goldenCount > 0) {
                    try (Interpreter all = Interpreter.load(e.getValue(), new RuntimeOptions(goldenCount, 1))) {
                        float[] y = new float[goldenCount * all.outputSize()];
                        all.run(golden, goldenCount, y);
                        GoldenOutputs.Builder g = GoldenOutputs.newBuilder().addAllValues(boxed(y)).setTolerance(tolerance);
                        for (int s = 0; s < goldenCount; s++) {
                            g.addArgmax(argmax(y, s * all.outputSize(), all.outputSize()));
                        }
                        v.setGolden(g);
                    }
                }
                m.addVariants(v);
            }
            return new SignedBundle(ManifestSigner.sign(m.build(), key), payloads);
        }

        private static TensorSpec spec(String name, int size) {
            return TensorSpec.newBuilder().setName(name).addShape(-1).addShape(size).setType(DataType.FLOAT32).build();
        }
    }

    public static int argmax(float[] v, int from, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float f : values) {
            out.add(f);
        }
        return out;
    }
}
