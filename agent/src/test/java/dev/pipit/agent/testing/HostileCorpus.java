package dev.pipit.agent.testing;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Attribute;
import dev.pipit.protocol.v1.DataType;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.NodeDef;
import dev.pipit.protocol.v1.QuantizationDef;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.TensorDef;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.protocol.v1.VariantGraph;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Hostile inputs for a running agent, each delivered as the fleet would deliver a release (retained chunks,
 * then the manifest) and each one the agent must refuse with exactly one Rejection:
 * <ul>
 * <li>manifests: truncated, bit-flipped, garbage, oversized, unsigned, signed by an unknown or a root key,
 *     expired, replayed, for another model, with hostile declared sizes, with forged or broken root chains;</li>
 * <li>payloads signed validly (so they reach the decoder and the runtime): random, truncated and bit-flipped
 *     graphs, cycles, dangling names, negative, zero and int-overflowing shapes, huge activations, zero, NaN
 *     and infinite scales, out-of-range zero points, sparse (CSR) weights with negative or out-of-range column
 *     indices, graphs that compute something else than their golden outputs;</li>
 * <li>deliveries: corrupted, oversized and truncated chunks, a chunk of the wrong variant or of another
 *     release (mix-and-match), chunks out of order and duplicated.</li>
 * </ul>
 * Deterministic for a seed. Payload-level inputs a real device could accept (a bit flip in a weight the golden
 * check cannot see) are left out by the caller's oracle.
 */
public final class HostileCorpus {

    /** One retained publication. */
    public record Publication(String topic, byte[] payload) {
    }

    /** A hostile input: its kind and the publications that deliver it, in order. */
    public record Input(String kind, long version, List<Publication> publications) {
    }

    public static final String MODEL = "tiny";
    public static final String VARIANT = "int8";
    public static final int CHUNK_BYTES = 256;

    private final Manifest template;
    private final byte[] validPayload;
    private final byte[] otherPayload;
    private final byte[] fp32Payload;
    private final KeyPair release;
    private final KeyPair rootKey;
    private final TrustRoot root;
    private final Predicate<byte[]> acceptable;
    private final Random r;
    private final List<Input> inputs = new ArrayList<>();
    private final Map<String, Integer> skipped = new LinkedHashMap<>();
    private long version;

    /**
     * @param installed the release the agent serves (version 1, variant {@link #VARIANT}): the template
     * @param otherPayload the same variant of another model (mix-and-match)
     * @param fp32Payload another variant's payload (a chunk for the wrong variant)
     * @param acceptable whether a device would accept a payload under the template manifest (the oracle)
     */
    public HostileCorpus(SignedBundle installed, byte[] otherPayload, byte[] fp32Payload, KeyPair release, KeyPair rootKey,
                         TrustRoot root, Predicate<byte[]> acceptable, long seed) {
        this.template = installed.manifest();
        this.validPayload = installed.payload(VARIANT);
        this.otherPayload = otherPayload;
        this.fp32Payload = fp32Payload;
        this.release = release;
        this.rootKey = rootKey;
        this.root = root;
        this.acceptable = acceptable;
        this.r = new Random(seed);
        this.version = installed.manifest().getVersion();
    }

    /** Payload-level inputs left out because a device could accept them, by kind. */
    public Map<String, Integer> skipped() {
        return skipped;
    }

    public List<Input> generate() throws Exception {
        manifests();
        payloads();
        deliveries();
        return List.copyOf(inputs);
    }

    // ---- manifests ----

    private void manifests() throws Exception {
        for (int i = 0; i < 150; i++) {
            byte[] m = signed(next(validPayload));
            manifestOnly("truncated manifest", Arrays.copyOf(m, 1 + r.nextInt(m.length - 1)));
        }
        for (int i = 0; i < 150; i++) {
            byte[] m = signed(next(validPayload));
            for (int flips = 1 + r.nextInt(3); flips > 0; flips--) {
                m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            }
            manifestOnly("bit-flipped manifest", m);
        }
        for (int i = 0; i < 60; i++) {
            manifestOnly("garbage manifest", random(1 + r.nextInt(2000)));
        }
        for (int i = 0; i < 8; i++) {
            Manifest m = next(validPayload);
            manifestOnly("unsigned manifest", SignedManifest.newBuilder().setManifest(m.toByteString()).build().toByteArray());
            manifestOnly("manifest signed by an unknown key", ManifestSigner.sign(next(validPayload), KeyFiles.generate()).toByteArray());
            manifestOnly("manifest signed by a root key", ManifestSigner.sign(next(validPayload), rootKey).toByteArray());
            manifestOnly("expired manifest (freeze)", signed(next(validPayload).toBuilder()
                    .setExpiresEpochMillis(System.currentTimeMillis() - 1 - r.nextInt(1000_000)).build()));
            manifestOnly("replayed older version (rollback)", signed(template.toBuilder()
                    .setCreatedEpochMillis(template.getCreatedEpochMillis() + 1 + i).build()));
            inputs.add(new Input("manifest of another model on this model's topic", 0, List.of(new Publication(
                    Topics.manifest(MODEL), signed(next(validPayload).toBuilder().setModelId("other").build())))));
            inputs.add(new Input("manifest of a model this device is not configured for", 0, List.of(new Publication(
                    Topics.manifest("other"), signed(next(validPayload).toBuilder().setModelId("other").build())))));
        }
        List<BiConsumer<Manifest.Builder, Variant.Builder>> sizes = List.of(
                (m, v) -> v.setPayloadBytes(1L << 40),
                (m, v) -> v.setPayloadBytes(-1L), // uint64 max
                (m, v) -> v.setPayloadBytes(0),
                (m, v) -> v.setChunkBytes(0),
                (m, v) -> v.setChunkBytes(-1), // uint32 max
                (m, v) -> v.setChunkBytes(1).clearChunkSha256(),
                (m, v) -> v.addChunkSha256(v.getChunkSha256(0)),
                (m, v) -> {
                    List<ByteString> hashes = new ArrayList<>(v.getChunkSha256List());
                    v.clearChunkSha256().addAllChunkSha256(hashes.subList(1, hashes.size()));
                },
                (m, v) -> v.setSha256(v.getSha256().substring(1)),
                (m, v) -> v.setChunkSha256(0, ByteString.copyFrom(new byte[33])),
                (m, v) -> v.setId("../../etc"),
                (m, v) -> v.setId("a b"),
                (m, v) -> v.setId(""),
                (m, v) -> m.setModelId(""),
                (m, v) -> m.setVersion(0),
                (m, v) -> m.setVersion(-1), // uint64 max
                (m, v) -> {
                    for (int k = 0; k < 40; k++) {
                        m.addVariants(v.clone().setId("v" + k));
                    }
                },
                (m, v) -> m.addVariants(v.clone()),
                (m, v) -> m.clearVariants());
        for (int i = 0; i < 57; i++) {
            Manifest.Builder m = next(validPayload).toBuilder();
            Variant.Builder v = m.getVariants(0).toBuilder();
            sizes.get(i % sizes.size()).accept(m, v);
            if (m.getVariantsCount() > 0) {
                m.setVariants(0, v);
            }
            manifestOnly("manifest declaring hostile sizes or ids", signed(m.build()));
        }
        for (int i = 0; i < 5; i++) {
            Manifest m = next(validPayload).toBuilder().addLabels("x".repeat((4 << 20) + 1000 * i))
                    .build(); // over BundleLimits.defaults()
            manifestOnly("oversized manifest", signed(m));
        }
        long now = System.currentTimeMillis();
        RootSigner.Spec v2 = RootSigner.spec(root, now).next(now, now + 86_400_000L);
        byte[] v3 = RootSigner.rotate(root.next(RootSigner.rotate(root, v2, List.of(rootKey))), v2.next(now, now + 86_400_000L),
                List.of(rootKey));
        KeyPair stranger = KeyFiles.generate();
        for (int i = 0; i < 3; i++) {
            byte[] garbage = random(300);
            System.arraycopy(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}, 0, garbage, 0, 5); // a length past the end
            manifestOnly("root chain of garbage", withRoot(next(validPayload), garbage));
            manifestOnly("root chain skipping a version", withRoot(next(validPayload), v3));
            manifestOnly("root rotated by a release key", withRoot(next(validPayload),
                    forgedRoot(v2.withRoot(List.of(release.getPublic()), 1), release)));
            manifestOnly("root rotated to a stranger's keys", withRoot(next(validPayload),
                    forgedRoot(v2.withRoot(List.of(stranger.getPublic()), 1).withRelease(List.of(stranger.getPublic()), 1), stranger)));
        }
    }

    private byte[] withRoot(Manifest m, byte[] root) {
        return ManifestSigner.sign(m, List.of(release), List.of(root)).toByteArray();
    }

    /** Root v2 signed by {@code signer} alone, whatever the device's root v1 requires. */
    private static byte[] forgedRoot(RootSigner.Spec v2, KeyPair signer) throws Exception {
        TrustRoot own = TrustRoot.installed(RootSigner.init(new RootSigner.Spec(1, 0, Long.MAX_VALUE,
                List.of(signer.getPublic()), 1, List.of(signer.getPublic()), 1, java.util.Set.of()), List.of(signer)));
        return RootSigner.rotate(own, v2, List.of(signer));
    }

    // ---- payloads, validly signed ----

    private void payloads() throws Exception {
        for (int i = 0; i < 60; i++) {
            payload("random payload", random(20 + r.nextInt(3000)));
        }
        for (int i = 0; i < 60; i++) {
            payload("truncated graph", Arrays.copyOf(validPayload, 1 + r.nextInt(validPayload.length - 1)));
        }
        for (int i = 0; i < 120; i++) {
            byte[] p = validPayload.clone();
            for (int flips = 1 + r.nextInt(4); flips > 0; flips--) {
                p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
            }
            payload("bit-flipped graph", p);
        }
        VariantGraph valid = VariantGraph.parseFrom(validPayload);
        List<Map.Entry<String, BiConsumer<VariantGraph.Builder, Random>>> edits = graphEdits();
        for (int i = 0; i < 220; i++) {
            Map.Entry<String, BiConsumer<VariantGraph.Builder, Random>> e = edits.get(i % edits.size());
            VariantGraph.Builder g = valid.toBuilder();
            e.getValue().accept(g, r);
            payload(e.getKey(), g.build().toByteArray());
        }
        payload("deeply nested groups", nestedGroups(5_000));
        payload("deeply nested groups", nestedGroups(200));
        for (int i = 0; i < 40; i++) {
            payload("sparse weights with hostile indices", hostileCsr(valid, i));
        }
        VariantGraph other = VariantGraph.parseFrom(otherPayload);
        for (int i = 0; i < 10; i++) {
            payload("another model under this manifest (fails its golden check)", other.toBuilder()
                    .setNodes(1, other.getNodes(1).toBuilder().setName("fc1-" + i)).build().toByteArray());
            payload("the fp32 variant under the int8 manifest", VariantGraph.parseFrom(fp32Payload).toBuilder()
                    .setNodes(0, VariantGraph.parseFrom(fp32Payload).getNodes(0).toBuilder().setName("fc-" + i)).build().toByteArray());
        }
    }

    /** Edits to the int8 graph (tensors x, xq, w1, b1, hq, w2, b2, yq, y; nodes quantize, fc1, fc2, dequantize). */
    private static List<Map.Entry<String, BiConsumer<VariantGraph.Builder, Random>>> graphEdits() {
        Map<String, BiConsumer<VariantGraph.Builder, Random>> e = new LinkedHashMap<>();
        e.put("graph with a cycle (node before its producer)", (g, r) -> {
            NodeDef fc1 = g.getNodes(1);
            g.setNodes(1, g.getNodes(2)).setNodes(2, fc1);
        });
        e.put("graph with a node reading its own output", (g, r) -> g.setNodes(1, g.getNodes(1).toBuilder().setInputs(0, "hq")));
        e.put("graph with a dangling tensor name", (g, r) -> g.setNodes(2, g.getNodes(2).toBuilder().setInputs(0, "missing" + r.nextInt(99))));
        e.put("graph output nobody produces", (g, r) -> g.setOutputs(0, "nowhere"));
        e.put("graph with a negative dimension", (g, r) -> g.setTensors(2, g.getTensors(2).toBuilder().setShape(r.nextInt(2), -1 - r.nextInt(1000))));
        e.put("graph with a zero dimension", (g, r) -> g.setTensors(4, g.getTensors(4).toBuilder().setShape(1, 0)));
        e.put("graph whose shape overflows int", (g, r) -> g.setTensors(2, g.getTensors(2).toBuilder().clearShape()
                .addShape(65536).addShape(65536).addShape(65536)));
        e.put("graph declaring a huge activation", (g, r) -> g.setTensors(4, g.getTensors(4).toBuilder().clearShape()
                .addShape(-1).addShape(1 << 20).addShape(16 + r.nextInt(64))));
        e.put("graph with a NaN scale", (g, r) -> scale(g, 1 + 3 * r.nextInt(2), Float.NaN));
        e.put("graph with a zero scale", (g, r) -> scale(g, 4, 0f));
        e.put("graph with an infinite scale", (g, r) -> scale(g, 7, Float.POSITIVE_INFINITY));
        e.put("graph with a negative scale", (g, r) -> scale(g, 1, -0.5f));
        e.put("graph with a subnormal scale", (g, r) -> scale(g, 7, Float.MIN_VALUE));
        e.put("graph with a zero point out of range", (g, r) -> g.setTensors(1, g.getTensors(1).toBuilder().setQuantization(
                g.getTensors(1).getQuantization().toBuilder().setZeroPoints(0, 128 + r.nextInt(100_000)))));
        e.put("graph with too few channel scales", (g, r) -> {
            QuantizationDef q = g.getTensors(2).getQuantization();
            g.setTensors(2, g.getTensors(2).toBuilder().setQuantization(q.toBuilder().clearScales().clearZeroPoints()
                    .addAllScales(q.getScalesList().subList(1, q.getScalesCount()))
                    .addAllZeroPoints(q.getZeroPointsList().subList(1, q.getZeroPointsCount()))));
        });
        e.put("graph with a quantization axis out of range", (g, r) -> g.setTensors(2, g.getTensors(2).toBuilder()
                .setQuantization(g.getTensors(2).getQuantization().toBuilder().setAxis(2 + r.nextInt(5)))));
        e.put("graph with constant data of the wrong length", (g, r) -> g.setTensors(2, g.getTensors(2).toBuilder()
                .setData(g.getTensors(2).getData().substring(1 + r.nextInt(5)))));
        e.put("graph with an unknown operator", (g, r) -> g.setNodes(2, g.getNodes(2).toBuilder().setOp(r.nextBoolean() ? "CONV9D" : "fully_connected")));
        e.put("graph with an unknown attribute", (g, r) -> g.setNodes(1, g.getNodes(1).toBuilder().addAttributes(Attribute.newBuilder()
                .setKey(r.nextBoolean() ? "activation" : "evil").setValue("TANH"))));
        e.put("graph declaring a tensor twice", (g, r) -> g.addTensors(g.getTensors(4)));
        e.put("graph with a bias of the wrong type", (g, r) -> g.setTensors(3, g.getTensors(3).toBuilder().setType(DataType.FLOAT32)));
        e.put("graph without nodes", (g, r) -> g.clearNodes());
        e.put("graph with two outputs", (g, r) -> g.addOutputs("hq"));
        e.put("graph with a node missing its weights", (g, r) -> g.setNodes(1, g.getNodes(1).toBuilder().clearInputs().addInputs("xq")));
        e.put("graph whose activation claims to be a constant", (g, r) -> g.setTensors(4, g.getTensors(4).toBuilder().setConstant(true)));
        e.put("graph whose input is a constant", (g, r) -> g.setInputs(0, "w1"));
        e.put("graph writing a tensor twice", (g, r) -> g.setNodes(2, g.getNodes(2).toBuilder().setOutputs(0, "hq")));
        e.put("graph with an unknown data type", (g, r) -> g.setTensors(4, g.getTensors(4).toBuilder().setTypeValue(99)));
        return new ArrayList<>(e.entrySet());
    }

    private static void scale(VariantGraph.Builder g, int tensor, float scale) {
        TensorDef t = g.getTensors(tensor);
        QuantizationDef q = t.getQuantization();
        g.setTensors(tensor, t.toBuilder().setQuantization(q.toBuilder().setScales(q.getScalesCount() - 1, scale)));
    }

    /** fc1 with its weights in CSR form, damaged: negative or out-of-range column indices, bad row ends. */
    private static byte[] hostileCsr(VariantGraph g, int i) {
        TensorDef w1 = g.getTensors(2);
        int rows = w1.getShape(0);
        int cols = w1.getShape(1);
        byte[] dense = w1.getData().toByteArray();
        List<Integer> columns = new ArrayList<>();
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        int[] rowEnds = new int[rows];
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < cols; c++) {
                byte v = dense[row * cols + c];
                if (v != 0) {
                    columns.add(c);
                    values.write(v);
                }
            }
            rowEnds[row] = columns.size();
        }
        int nnz = columns.size();
        int at = i % Math.max(1, nnz);
        switch (i % 5) {
            case 0 -> columns.set(at, -1 - i);
            case 1 -> columns.set(at, cols + i);
            case 2 -> columns.set(at, Integer.MIN_VALUE);
            case 3 -> rowEnds[i % rows] = nnz + 1 + i;
            default -> rowEnds[rows - 1] = -1;
        }
        ByteBuffer ends = ByteBuffer.allocate(4 * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (int e : rowEnds) {
            ends.putInt(e);
        }
        ByteBuffer cols32 = ByteBuffer.allocate(4 * nnz).order(ByteOrder.LITTLE_ENDIAN);
        columns.forEach(cols32::putInt);
        VariantGraph.Builder b = g.toBuilder();
        b.setTensors(2, TensorDef.newBuilder().setName("w1_row_ends").setType(DataType.INT32).setConstant(true).addShape(rows)
                .setData(ByteString.copyFrom(ends.array())).setQuantization(w1.getQuantization()));
        b.addTensors(TensorDef.newBuilder().setName("w1_columns").setType(DataType.INT32).setConstant(true).addShape(nnz)
                .setData(ByteString.copyFrom(cols32.array())));
        b.addTensors(TensorDef.newBuilder().setName("w1_values").setType(DataType.INT8).setConstant(true).addShape(nnz)
                .setData(ByteString.copyFrom(values.toByteArray())));
        b.setNodes(1, b.getNodes(1).toBuilder().clearInputs().addInputs("xq").addInputs("w1_row_ends")
                .addInputs("w1_columns").addInputs("w1_values").addInputs("b1").addAttributes(Attribute.newBuilder().setKey("weight_format").setValue("csr")));
        return b.build().toByteArray();
    }

    private static byte[] nestedGroups(int depth) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            b.write((99 << 3 | 3) & 0x7f | 0x80);
            b.write((99 << 3 | 3) >>> 7);
        }
        return b.toByteArray();
    }

    // ---- deliveries ----

    private void deliveries() throws Exception {
        for (int i = 0; i < 40; i++) {
            List<byte[]> chunks = chunks(validPayload);
            int k = r.nextInt(chunks.size());
            chunks.get(k)[r.nextInt(chunks.get(k).length)] ^= (byte) (1 << r.nextInt(8));
            delivery("corrupted chunk", next(validPayload), chunks, false);
        }
        for (int i = 0; i < 30; i++) {
            List<byte[]> chunks = chunks(validPayload);
            int k = r.nextInt(chunks.size());
            chunks.set(k, Arrays.copyOf(chunks.get(k), chunks.get(k).length + 1 + r.nextInt(CHUNK_BYTES)));
            delivery("oversized chunk", next(validPayload), chunks, false);
        }
        for (int i = 0; i < 20; i++) {
            List<byte[]> chunks = chunks(validPayload);
            int k = r.nextInt(chunks.size());
            chunks.set(k, Arrays.copyOf(chunks.get(k), r.nextInt(chunks.get(k).length)));
            delivery("truncated chunk", next(validPayload), chunks, false);
        }
        for (int i = 0; i < 20; i++) {
            List<byte[]> chunks = chunks(validPayload);
            List<byte[]> wrong = chunks(fp32Payload);
            int k = r.nextInt(Math.min(chunks.size(), wrong.size()));
            chunks.set(k, wrong.get(k));
            delivery("chunk of the wrong variant", next(validPayload), chunks, false);
        }
        for (int i = 0; i < 20; i++) {
            delivery("chunks of another release (mix-and-match)", next(validPayload), chunks(otherPayload), false);
        }
        List<Map.Entry<String, BiConsumer<VariantGraph.Builder, Random>>> edits = graphEdits();
        VariantGraph valid = VariantGraph.parseFrom(validPayload);
        for (int i = 0; i < 30; i++) {
            VariantGraph.Builder g = valid.toBuilder();
            edits.get(r.nextInt(edits.size())).getValue().accept(g, r);
            byte[] p = g.build().toByteArray();
            if (acceptable.test(p)) {
                continue;
            }
            List<byte[]> chunks = chunks(p);
            List<byte[]> shuffled = new ArrayList<>(chunks);
            shuffled.add(chunks.get(r.nextInt(chunks.size())));
            Collections.shuffle(shuffled, r);
            delivery("hostile graph in chunks out of order and duplicated", next(p), shuffled, true);
        }
    }

    // ---- building blocks ----

    private Manifest next(byte[] payload) {
        Variant.Builder v = template.getVariants(0).toBuilder().setPayloadBytes(payload.length)
                .setSha256(ByteString.copyFrom(Chunks.sha256(payload))).setChunkBytes(CHUNK_BYTES).clearChunkSha256();
        for (int start = 0; start < payload.length; start += CHUNK_BYTES) {
            v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, start, Math.min(CHUNK_BYTES, payload.length - start))));
        }
        return template.toBuilder().setVersion(++version).clearVariants().addVariants(v).build();
    }

    private byte[] signed(Manifest m) {
        return ManifestSigner.sign(m, release).toByteArray();
    }

    private void manifestOnly(String kind, byte[] manifest) {
        inputs.add(new Input(kind, version, List.of(new Publication(Topics.manifest(MODEL), manifest))));
    }

    /** A validly signed release of {@code payload}, unless the oracle says a device could accept it. */
    private void payload(String kind, byte[] payload) {
        if (acceptable.test(payload)) {
            skipped.merge(kind, 1, Integer::sum);
            return;
        }
        delivery(kind, next(payload), chunks(payload), false);
    }

    /** Chunk topics named by {@code m}; the manifest last, or first (then the chunks arrive live, in the given order). */
    private void delivery(String kind, Manifest m, List<byte[]> chunks, boolean manifestFirst) {
        List<Publication> p = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            int index = i;
            if (manifestFirst) { // shuffled: find which chunk this is
                index = indexOf(m.getVariants(0), chunks.get(i));
            }
            p.add(new Publication(Topics.chunk(MODEL, m.getVersion(), VARIANT, index), chunks.get(i)));
        }
        Publication manifest = new Publication(Topics.manifest(MODEL), signed(m));
        if (manifestFirst) {
            p.add(0, manifest);
        } else {
            p.add(manifest);
        }
        inputs.add(new Input(kind, m.getVersion(), p));
    }

    private static int indexOf(Variant v, byte[] chunk) {
        ByteString h = ByteString.copyFrom(Chunks.sha256(chunk));
        for (int i = 0; i < v.getChunkSha256Count(); i++) {
            if (v.getChunkSha256(i).equals(h)) {
                return i;
            }
        }
        throw new IllegalStateException("not a chunk of this variant");
    }

    private static List<byte[]> chunks(byte[] payload) {
        List<byte[]> c = new ArrayList<>();
        for (int start = 0; start < payload.length; start += CHUNK_BYTES) {
            c.add(Arrays.copyOfRange(payload, start, Math.min(payload.length, start + CHUNK_BYTES)));
        }
        return c;
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
