package dev.pipit.compress.variant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.evaluate.Macs;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.quantize.Range;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.io.PrintStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every technique on the PyTorch CNN with a small budget (1,500 fine-tuning images, one epoch, 500 test
 * images): each variant must stay near its fp32 parent (loose bounds; the documented table uses the full
 * data) and have the structure its technique promises.
 */
class TechniquesTest {

    private static final LabeledImages TEST = TestData.test().slice(0, 500);
    private static CompressionContext context;
    private static double fp32;

    @BeforeAll
    static void parent() throws Exception {
        Graph parent = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        context = CompressionContext.of(parent, TestData.train().slice(0, 1_500), TEST, 200, FineTuneBudget.minimal(), 1, 2,
                new PrintStream(OutputStream.nullOutputStream()));
        fp32 = accuracy(parent);
    }

    private static double accuracy(Graph g) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(100, 1))) {
            return Evaluator.accuracy(interpreter, TEST, 100);
        }
    }

    private static VariantResult build(String id) {
        return Techniques.byId(id).build(context);
    }

    private static List<OpType> ops(Graph g) {
        return g.nodes().stream().map(Node::op).toList();
    }

    @Test
    void ids_areExactlyTheDocumentedOnes() {
        assertEquals(List.of("fp32", "int8", "int8-dynamic", "int8-sr", "int8-qat", "sparse80", "channels50", "palette16",
                "lowrank", "distilled", "adv-pgd", "dp-eps1", "dp-eps3", "dp-eps8", "sparse80-private"), Techniques.ids());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Techniques.byId("int4"));
        assertTrue(e.getMessage().contains("int8-qat"), e.getMessage());
    }

    @Test
    void int8_staysWithinHalfAPointAndRecordsCalibrationPerTensor() {
        VariantResult r = build("int8");
        assertTrue(accuracy(r.graph()) >= fp32 - 0.005, "int8 " + accuracy(r.graph()) + " vs fp32 " + fp32);
        assertEquals(5, r.calibration().size(), r.calibration().toString());
        assertTrue(r.calibration().values().stream().allMatch(m -> List.of("min-max", "percentile", "mse").contains(m)));
    }

    @Test
    void int8Dynamic_quantizesTheFullyConnectedLayersOnly() {
        Graph g = build("int8-dynamic").graph();
        assertEquals(2, ops(g).stream().filter(o -> o == OpType.FULLY_CONNECTED_DYNAMIC).count());
        assertEquals(2, ops(g).stream().filter(o -> o == OpType.CONV_2D).count());
        assertTrue(accuracy(g) >= fp32 - 0.005);
    }

    @Test
    void int8Sr_measuresFiveSeeds() {
        VariantResult r = build("int8-sr");
        assertEquals(5, ((List<?>) r.details().get("accuracies")).size());
        assertTrue((double) r.details().get("stdAccuracy") >= 0);
        assertTrue(accuracy(r.graph()) >= fp32 - 0.02);
    }

    @Test
    void int8Qat_staysNearFp32AndRangesTheLogitsForTheArgmax() {
        VariantResult r = build("int8-qat");
        assertTrue(accuracy(r.graph()) >= fp32 - 0.02);
        assertEquals("argmax", r.calibration().get("logits"), r.calibration().toString());
        Quantization q = r.graph().tensorsByName().get("logits.q").quantization();
        float low = (-128 - q.zeroPoint()) * q.scale();
        float high = (127 - q.zeroPoint()) * q.scale();
        float[] logits = Calibrator.run(context.parent(), context.calibration(), context.calibrationCount());
        Range all = Range.of(logits);
        assertTrue(high - low < 0.75f * (all.max() - all.min()), "[" + low + ", " + high + "] against " + all);
        for (int i = 0; i < context.calibrationCount(); i++) { // the fp32 parent's two leading logits stay unclipped
            float[] row = Arrays.copyOfRange(logits, i * 10, i * 10 + 10);
            Arrays.sort(row);
            assertTrue(row[8] >= low - q.scale() && row[9] <= high + q.scale(), "sample " + i + ": " + Arrays.toString(row));
        }
    }

    @Test
    void sparse80_keepsAFifthOfTheWeightsInAThirdOfDenseInt8Ram() {
        VariantResult r = build("sparse80");
        Graph g = r.graph();
        @SuppressWarnings("unchecked")
        Map<String, Double> sparsity = (Map<String, Double>) r.details().get("layerSparsity");
        assertEquals(4, sparsity.size(), sparsity.toString());
        @SuppressWarnings("unchecked")
        Map<String, String> formats = (Map<String, String>) r.details().get("layerFormats");
        assertTrue(formats.containsValue("bitmap"), formats.toString());
        long nonZeros = 0;
        Map<String, dev.pipit.runtime.graph.Tensor> t = g.tensorsByName();
        for (Node n : g.nodes()) {
            if (n.op() == OpType.CONV_2D || n.op() == OpType.FULLY_CONNECTED) {
                String format = n.attributes().getOrDefault("weight_format", "dense");
                assertEquals(formats.get(n.name()), format);
                byte[] w = t.get(n.inputs().get(switch (format) {
                    case "csr" -> 3;
                    case "bitmap" -> 2;
                    default -> 1;
                })).bytes();
                for (byte b : w) {
                    nonZeros += b != 0 ? 1 : 0;
                }
            }
        }
        assertTrue(nonZeros <= Math.round(0.2 * 108_432), nonZeros + " non-zero weights of 108,432");
        assertTrue(Macs.perSample(g) < Macs.perSample(context.parent()));
        long denseInt8 = weightBytesInRam(build("int8").graph());
        assertTrue(weightBytesInRam(g) <= 0.35 * denseInt8, weightBytesInRam(g) + " bytes vs dense int8 " + denseInt8);
        assertTrue(accuracy(g) >= fp32 - 0.10, "sparse80 " + accuracy(g));
    }

    private static long weightBytesInRam(Graph g) {
        try (Interpreter interpreter = Interpreter.load(g, RuntimeOptions.defaults())) {
            return interpreter.weightBytes();
        }
    }

    @Test
    void channels50_cutsMacsByAtLeastFortyPercent() {
        Graph g = build("channels50").graph();
        assertTrue(Macs.perSample(g) <= 0.6 * Macs.perSample(context.parent()));
        assertTrue(accuracy(g) >= fp32 - 0.15, "channels50 " + accuracy(g));
    }

    @Test
    void palette16_usesFourBitPalettesOfAtMostSixteenValues() {
        Graph g = build("palette16").graph();
        assertEquals(4, g.nodes().stream().filter(n -> "palette4".equals(n.attributes().get("weight_format"))).count());
        g.tensors().stream().filter(t -> t.name().endsWith("/codebook"))
                .forEach(t -> assertTrue(t.elementCount() <= 16, t.toString()));
        assertTrue(accuracy(g) >= fp32 - 0.05, "palette16 " + accuracy(g));
    }

    @Test
    void lowrank_halvesTheFullyConnectedWeights() {
        VariantResult r = build("lowrank");
        assertTrue((long) r.details().get("fcWeightsAfter") * 2 <= (long) r.details().get("fcWeightsBefore"), r.details().toString());
        assertEquals(3, ops(r.graph()).stream().filter(o -> o == OpType.FULLY_CONNECTED).count());
        assertTrue(accuracy(r.graph()) >= fp32 - 0.05, "lowrank " + accuracy(r.graph()));
    }

    @Test
    void distilled_studentHasAtMostAQuarterOfTheParametersAndRecordsTheBaseline() {
        VariantResult r = build("distilled");
        assertTrue((long) r.details().get("studentParameters") * 4 <= (long) r.details().get("teacherParameters"));
        assertTrue(r.details().containsKey("labelsOnlyInt8Accuracy"));
        double fp32Student = (double) r.details().get("distilledFp32Accuracy");
        assertTrue(accuracy(r.graph()) >= fp32Student - 0.05, "int8 student " + accuracy(r.graph()) + " vs fp32 " + fp32Student);
    }

    @Test
    void distilledAdaptedTeacher_fineTunedOnShiftedImages_changesACopyAndLeavesTheParent() {
        float[][] parentBefore = constants(context.parent());
        Network adapted = Distilled.adaptedTeacher(context);
        Network untouched = context.trainable();
        for (int i = 0; i < untouched.weighted().size(); i++) {
            assertFalse(Arrays.equals(untouched.weighted().get(i).weight(), adapted.weighted().get(i).weight()), "layer " + i);
        }
        assertArrayEquals(parentBefore, constants(context.parent()));
    }

    private static float[][] constants(Graph g) {
        return g.tensors().stream().filter(t -> t.isConstant() && t.type() == DataType.FLOAT32).map(Tensor::floats).toArray(float[][]::new);
    }
}
