package dev.pipit.compress.bundle;

import com.google.protobuf.ByteString;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SecurityMeasure;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Assembles a signed bundle: encodes each variant's graph, binds its payload and every chunk by
 * SHA-256, pins its outputs on a few real test samples (golden outputs a device checks before it
 * activates the variant), signs the manifest and writes the bundle file.
 */
public final class BundleBuilder {

    /** fp32 kernels may sum in another order on another CPU; int8 kernels are exact integer arithmetic. */
    static final float FP32_TOLERANCE = 1e-4f;

    private BundleBuilder() {
    }

    /**
     * Writes the bundle to {@code out} and returns what was signed.
     *
     * @param parent the fp32 model the variants derive from: defines the input and output interface
     * @param goldenSource real samples to pin outputs on (the first of each class, up to the spec's count)
     */
    public static SignedManifest write(BundleSpec spec, Graph parent, List<VariantBuild> variants,
                                       LabeledImages goldenSource, KeyPair key, Path out) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        SignedManifest signed = ManifestSigner.sign(manifest(spec, parent, variants, goldenSource, payloads), key);
        BundleFile.write(out, signed, payloads);
        return signed;
    }

    /** Builds the manifest, adding each variant's encoded payload to {@code payloads} in order. */
    static Manifest manifest(BundleSpec spec, Graph parent, List<VariantBuild> variants, LabeledImages goldenSource,
                             List<byte[]> payloads) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("a bundle needs at least one variant");
        }
        Tensor input = parent.tensorsByName().get(parent.inputs().get(0));
        Tensor output = parent.tensorsByName().get(parent.outputs().get(0));
        int[] golden = goldenIndices(goldenSource, spec.goldenCount());
        float[] goldenInputs = new float[golden.length * goldenSource.imageSize()];
        for (int i = 0; i < golden.length; i++) {
            goldenSource.copyImage(golden[i], goldenInputs, i * goldenSource.imageSize());
        }
        Manifest.Builder m = Manifest.newBuilder()
                .setModelId(spec.modelId())
                .setVersion(spec.version())
                .setCreatedEpochMillis(System.currentTimeMillis())
                .setInput(spec(input))
                .setOutput(spec(output))
                .addAllLabels(spec.labels())
                .setGolden(GoldenInputs.newBuilder().setCount(golden.length).addAllValues(boxed(goldenInputs)));
        Set<String> ids = new HashSet<>();
        for (VariantBuild v : variants) {
            if (!ids.add(v.id())) {
                throw new IllegalArgumentException("variant " + v.id() + " is listed twice");
            }
            requireSameInterface(parent, v);
            byte[] payload = GraphCodec.encode(v.graph());
            payloads.add(payload);
            Variant.Builder b = Variant.newBuilder()
                    .setId(v.id())
                    .setTechnique(v.technique())
                    .setWeightBytes(v.evidence().weightBytes())
                    .setPlannedPeakBytes(v.evidence().arenaBytes())
                    .setAccuracy(v.evidence().accuracy())
                    .setMacs(v.evidence().macs())
                    .setPayloadBytes(payload.length)
                    .setSha256(ByteString.copyFrom(Chunks.sha256(payload)))
                    .setChunkBytes(spec.chunkBytes())
                    .setGolden(goldenOutputs(v.graph(), goldenInputs, golden.length))
                    .setEvaluatedOn(spec.evaluatedOn());
            v.security().forEach((name, value) -> b.addSecurity(SecurityMeasure.newBuilder().setName(name).setValue(value)));
            for (int c = 0; c < Chunks.count(payload.length, spec.chunkBytes()); c++) {
                b.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, c * spec.chunkBytes(),
                        Chunks.size(payload.length, spec.chunkBytes(), c))));
            }
            m.addVariants(b);
        }
        return m.build();
    }

    /** The first sample of each class in turn, so the golden set spans classes; then fills up in order. */
    static int[] goldenIndices(LabeledImages images, int count) {
        int k = Math.min(count, images.count());
        int[] chosen = new int[k];
        boolean[] taken = new boolean[images.count()];
        boolean[] classSeen = new boolean[images.classes()];
        int n = 0;
        for (int i = 0; i < images.count() && n < k; i++) {
            if (!classSeen[images.label(i)]) {
                classSeen[images.label(i)] = true;
                taken[i] = true;
                chosen[n++] = i;
            }
        }
        for (int i = 0; i < images.count() && n < k; i++) {
            if (!taken[i]) {
                chosen[n++] = i;
            }
        }
        return chosen;
    }

    private static GoldenOutputs goldenOutputs(Graph graph, float[] inputs, int count) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(count, 1))) {
            int classes = interpreter.outputSize();
            float[] out = new float[count * classes];
            interpreter.run(inputs, count, out);
            GoldenOutputs.Builder g = GoldenOutputs.newBuilder().addAllValues(boxed(out))
                    .setTolerance(isExact(graph) ? 0f : FP32_TOLERANCE);
            for (int i = 0; i < count; i++) {
                g.addArgmax(Evaluator.argmax(out, i * classes, classes));
            }
            return g.build();
        }
    }

    /**
     * Whether every arithmetic step is integer (or an exactly specified float conversion), so any CPU
     * reproduces the outputs bit for bit: no fp32 weights (fp32 layers and dynamic int8's float biases sum
     * in an order that depends on the vector width) and no fp32 softmax or batch normalization.
     */
    static boolean isExact(Graph graph) {
        return graph.tensors().stream().noneMatch(t -> t.isConstant() && t.type() == DataType.FLOAT32)
                && graph.nodes().stream().noneMatch(n -> n.op() == OpType.SOFTMAX || n.op() == OpType.BATCH_NORMALIZATION
                        || n.op() == OpType.FULLY_CONNECTED_DYNAMIC);
    }

    private static void requireSameInterface(Graph parent, VariantBuild v) {
        Tensor pi = parent.tensorsByName().get(parent.inputs().get(0));
        Tensor po = parent.tensorsByName().get(parent.outputs().get(0));
        Tensor vi = v.graph().tensorsByName().get(v.graph().inputs().get(0));
        Tensor vo = v.graph().tensorsByName().get(v.graph().outputs().get(0));
        if (!Arrays.equals(pi.shape(), vi.shape()) || !Arrays.equals(po.shape(), vo.shape())
                || vi.type() != DataType.FLOAT32 || vo.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("variant " + v.id() + " takes " + Arrays.toString(vi.shape()) + " → "
                    + Arrays.toString(vo.shape()) + " but the model takes fp32 " + Arrays.toString(pi.shape()) + " → "
                    + Arrays.toString(po.shape()));
        }
    }

    private static TensorSpec spec(Tensor t) {
        TensorSpec.Builder s = TensorSpec.newBuilder().setName(t.name())
                .setType(dev.pipit.protocol.v1.DataType.valueOf(t.type().name()));
        for (int d : t.shape()) {
            s.addShape(d);
        }
        return s.build();
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return list;
    }
}
