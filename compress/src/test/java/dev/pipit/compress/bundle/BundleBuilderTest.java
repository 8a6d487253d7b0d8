package dev.pipit.compress.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.train.Mlp;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleBuilderTest {

    private static final KeyPair KEY = KeyFiles.generate();
    private static Graph fp32;
    private static Graph int8;
    private static Path file;

    @BeforeAll
    static void writeBundle(@TempDir Path dir) throws Exception {
        fp32 = Mlp.reference(4).toGraph();
        int8 = StaticQuantizer.quantize(fp32, TestData.floats(TestData.train(), 200), 200);
        Evaluation evidence = new Evaluation(0.1, 100, 234_752, 940_584, 940_584, 1_536, 20.0); // not under test here
        file = dir.resolve("m.pipit");
        BundleSpec spec = new BundleSpec("fashion-test", 3, FashionMnist.CLASS_NAMES, "fashion-mnist test", 100_000, 8);
        BundleBuilder.write(spec, fp32, List.of(new VariantBuild("fp32", "fp32 reference", fp32, evidence),
                new VariantBuild("int8", "static int8 PTQ", int8, evidence)
                        .withSecurity(Map.of("pgdAccuracy", 0.25, "membershipAuc", 0.51))), TestData.test(), KEY, file);
    }

    @Test
    void write_securityFigures_areSignedIntoTheManifestPerVariant() throws Exception {
        BundleFile b = BundleFile.open(file, BundleLimits.defaults());
        Manifest m = new ManifestVerifier(List.of(KEY.getPublic()), BundleLimits.defaults()).verify(b.signedManifest());
        assertEquals(0, m.getVariants(0).getSecurityCount());
        Map<String, Double> int8Figures = new HashMap<>();
        m.getVariants(1).getSecurityList().forEach(s -> int8Figures.put(s.getName(), s.getValue()));
        assertEquals(Map.of("pgdAccuracy", 0.25, "membershipAuc", 0.51), int8Figures);
    }

    @Test
    void write_signedBundle_opensAndVerifiesWithThePublicKey() throws Exception {
        BundleFile b = BundleFile.open(file, BundleLimits.defaults());
        Manifest m = new ManifestVerifier(List.of(KEY.getPublic()), BundleLimits.defaults()).verify(b.signedManifest());
        assertEquals("fashion-test", m.getModelId());
        assertEquals(3, m.getVersion());
        assertEquals(10, m.getLabelsCount());
        assertEquals(List.of(-1, 1, 28, 28), m.getInput().getShapeList());
        assertEquals("logits", m.getOutput().getName());
        assertEquals(List.of("fp32", "int8"), m.getVariantsList().stream().map(Variant::getId).toList());
    }

    @Test
    void write_otherKey_failsVerification() throws Exception {
        BundleFile b = BundleFile.open(file, BundleLimits.defaults());
        ManifestVerifier other = new ManifestVerifier(List.of(KeyFiles.generate().getPublic()), BundleLimits.defaults());
        assertThrows(BundleException.class, () -> other.verify(b.signedManifest()));
    }

    @Test
    void write_payloads_decodeToTheVariantGraphsWithMatchingChunkHashes() throws Exception {
        BundleFile b = BundleFile.open(file, BundleLimits.defaults());
        for (Variant v : b.manifest().getVariantsList()) {
            byte[] payload = b.payload(v.getId());
            Graph decoded = GraphCodec.decode(payload);
            assertEquals(v.getId().equals("fp32") ? fp32 : int8, decoded);
            assertEquals(Chunks.count(payload.length, 100_000), v.getChunkSha256Count());
            assertTrue(v.getChunkSha256Count() > 1 || v.getId().equals("int8"), "fp32 payload spans chunks");
            for (int c = 0; c < v.getChunkSha256Count(); c++) {
                assertArrayEquals(v.getChunkSha256(c).toByteArray(), Chunks.sha256(payload, c * 100_000,
                        Chunks.size(payload.length, 100_000, c)));
            }
        }
    }

    @Test
    void write_goldenOutputs_reproducedByTheRuntimeOnTheDecodedPayload() throws Exception {
        BundleFile b = BundleFile.open(file, BundleLimits.defaults());
        Manifest m = b.manifest();
        int count = m.getGolden().getCount();
        assertEquals(8, count);
        float[] in = new float[m.getGolden().getValuesCount()];
        for (int i = 0; i < in.length; i++) {
            in[i] = m.getGolden().getValues(i);
        }
        for (Variant v : m.getVariantsList()) {
            assertEquals(v.getId().equals("int8") ? 0f : 1e-4f, v.getGolden().getTolerance());
            try (Interpreter interpreter = Interpreter.load(GraphCodec.decode(b.payload(v.getId())),
                    new RuntimeOptions(count, 1))) {
                float[] out = new float[count * 10];
                interpreter.run(in, count, out);
                for (int i = 0; i < out.length; i++) {
                    assertEquals(v.getGolden().getValues(i), out[i], v.getGolden().getTolerance(), v.getId() + " value " + i);
                }
                assertEquals(count, v.getGolden().getArgmaxCount());
            }
        }
    }

    @Test
    void isExact_integerGraphOnly_fp32AndDynamicNeedATolerance() {
        assertTrue(BundleBuilder.isExact(int8));
        assertFalse(BundleBuilder.isExact(fp32));
        Graph dynamic = dev.pipit.compress.variant.Techniques.byId("int8-dynamic").build(
                dev.pipit.compress.variant.CompressionContext.of(fp32, TestData.train().slice(0, 10), TestData.test().slice(0, 10),
                        10, dev.pipit.compress.variant.FineTuneBudget.minimal(), 1, 1, System.err)).graph();
        assertFalse(BundleBuilder.isExact(dynamic));
    }

    @Test
    void goldenIndices_testSet_spanDistinctClasses() {
        LabeledImages test = TestData.test();
        int[] idx = BundleBuilder.goldenIndices(test, 8);
        long distinct = Arrays.stream(idx).map(test::label).distinct().count();
        assertEquals(8, distinct);
    }

    @Test
    void manifest_variantWithAnotherInterface_isRefused() {
        Graph other = Mlp.initialized(new int[] {1, 14, 14}, new int[] {10}, 1).toGraph();
        Evaluation e = new Evaluation(0.1, 1, 1, 1, 1, 1, 1);
        BundleSpec spec = new BundleSpec("m", 1, FashionMnist.CLASS_NAMES, "x");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> BundleBuilder.manifest(spec, fp32,
                List.of(new VariantBuild("x", "t", other, e)), TestData.test(), new ArrayList<>()));
        assertTrue(ex.getMessage().contains("variant x"), ex.getMessage());
    }
}
