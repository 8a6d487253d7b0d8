package dev.pipit.agent.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {

    private static final RuntimeOptions OPTIONS = new RuntimeOptions(4, 1);
    private static final TinyMlp MLP = TinyMlp.random(7, 16, 8, 4);
    private static SignedBundle bundle;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        float[] golden = MLP.inputs(1, 6); // more samples than maxBatch: the check runs in slices
        bundle = SignedBundle.builder("tiny", 1)
                .variant("fp32", MLP.fp32(), 0.9)
                .variant("int8", MLP.int8(MLP.inputs(2, 64)), 0.88)
                .golden(golden, 6)
                .build(KeyFiles.generate());
    }

    private Path write(String variant, byte[] payload) throws Exception {
        return Files.write(dir.resolve(variant + ".graph"), payload);
    }

    private LoadedModel load(Manifest m, String variant, byte[] payload) throws Exception {
        Variant v = m.getVariantsList().stream().filter(x -> x.getId().equals(variant)).findFirst().orElseThrow();
        return ModelLoader.load(m, v, write(variant, payload), "test", OPTIONS, Long.MAX_VALUE, 1234);
    }

    @Test
    void load_int8Variant_servesWhatTheInterpreterComputes() throws Exception {
        float[] x = MLP.inputs(3, 5);
        float[] expected = new float[5 * 4];
        try (Interpreter local = Interpreter.load(MLP.int8(MLP.inputs(2, 64)), new RuntimeOptions(5, 1))) {
            local.run(x, 5, expected);
        }

        try (LoadedModel model = load(bundle.manifest(), "int8", bundle.payload("int8"))) {
            assertArrayEquals(expected, model.run(x, 5));
            assertEquals("int8", model.describe().getVariant());
            assertEquals(1234, model.describe().getActivatedEpochMillis());
            assertEquals(bundle.variant("int8").getWeightBytes(), model.weightBytes());
        }
    }

    @Test
    void load_goldenValueOffByMoreThanTolerance_isRejectedNamingTheSample() throws Exception {
        Manifest m = bundle.manifest().toBuilder().setVariants(0, bundle.variant("fp32").toBuilder()
                .setGolden(bundle.variant("fp32").getGolden().toBuilder().setValues(5, 
                        bundle.variant("fp32").getGolden().getValues(5) + 0.5f))).build();

        BundleException e = assertThrows(BundleException.class, () -> load(m, "fp32", bundle.payload("fp32")));

        assertTrue(e.getMessage().startsWith("variant fp32 fails its golden check: sample 1 output 1 is "), e.getMessage());
    }

    @Test
    void load_goldenClassDiffers_isRejected() throws Exception {
        Variant fp32 = bundle.variant("fp32");
        int wrong = (fp32.getGolden().getArgmax(2) + 1) % 4;
        Manifest m = bundle.manifest().toBuilder().setVariants(0, fp32.toBuilder()
                .setGolden(fp32.getGolden().toBuilder().setArgmax(2, wrong))).build();

        BundleException e = assertThrows(BundleException.class, () -> load(m, "fp32", bundle.payload("fp32")));

        assertEquals("variant fp32 fails its golden check: sample 2 predicts class " + fp32.getGolden().getArgmax(2)
                + ", expected " + wrong, e.getMessage());
    }

    @Test
    void load_payloadChangedOnDisk_isRejected() throws Exception {
        byte[] payload = bundle.payload("int8");
        payload[payload.length / 2] ^= 1;

        BundleException e = assertThrows(BundleException.class, () -> load(bundle.manifest(), "int8", payload));

        assertEquals("variant int8 payload fails its SHA-256", e.getMessage());
    }

    @Test
    void load_signedPayloadThatIsNoGraph_isRejected() throws Exception {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xff);
        Manifest m = bundle.manifest().toBuilder().setVariants(1, bundle.variant("int8").toBuilder()
                .setPayloadBytes(garbage.length).setSha256(ByteString.copyFrom(Chunks.sha256(garbage)))).build();

        BundleException e = assertThrows(BundleException.class, () -> load(m, "int8", garbage));

        assertTrue(e.getMessage().startsWith("variant int8 does not decode: "), e.getMessage());
    }

    @Test
    void load_manifestWithoutGoldenInputs_isRejected() throws Exception {
        Manifest m = bundle.manifest().toBuilder().clearGolden().build();

        BundleException e = assertThrows(BundleException.class, () -> load(m, "fp32", bundle.payload("fp32")));

        assertEquals("variant fp32 cannot be checked: the manifest has no golden inputs", e.getMessage());
    }

    @Test
    void load_manifestDeclaresOtherInputSize_isRejected() throws Exception {
        Manifest m = bundle.manifest().toBuilder().setInput(bundle.manifest().getInput().toBuilder()
                .clearShape().addShape(-1).addShape(28).addShape(28)).build();

        BundleException e = assertThrows(BundleException.class, () -> load(m, "fp32", bundle.payload("fp32")));

        assertEquals("variant fp32 takes 16 input values per sample, the manifest declares 784 ([-1, 28, 28])",
                e.getMessage());
    }

    @Test
    void load_arenaAtMaxBatchOverBudget_plansForBatchOne() throws Exception {
        Variant v = bundle.variant("int8");
        long batchOne;
        try (Interpreter one = Interpreter.load(MLP.int8(MLP.inputs(2, 64)), new RuntimeOptions(1, 1))) {
            batchOne = one.weightBytes() + one.arenaBytes();
        }

        try (LoadedModel model = ModelLoader.load(bundle.manifest(), v, write("int8", bundle.payload("int8")), "test",
                new RuntimeOptions(64, 1), batchOne, 1234)) {
            assertEquals(1, model.maxBatch());
            assertTrue(model.weightBytes() + model.arenaBytes() <= batchOne);
        }
    }

    @Test
    void load_weightsAloneOverBudget_isRejectedWithTheFigures() throws Exception {
        Variant v = bundle.variant("int8");

        BundleException e = assertThrows(BundleException.class, () -> ModelLoader.load(bundle.manifest(), v,
                write("int8", bundle.payload("int8")), "test", OPTIONS, v.getWeightBytes() - 1, 1234));

        assertTrue(e.getMessage().startsWith("variant int8 needs ") && e.getMessage().endsWith(" budget")
                && e.getMessage().contains("as loaded (weights "), e.getMessage());
    }

    @Test
    void run_afterClose_throwsReplaced() throws Exception {
        LoadedModel model = load(bundle.manifest(), "fp32", bundle.payload("fp32"));
        model.close();

        assertThrows(LoadedModel.ReplacedException.class, () -> model.run(MLP.inputs(3, 1), 1));
    }
}
