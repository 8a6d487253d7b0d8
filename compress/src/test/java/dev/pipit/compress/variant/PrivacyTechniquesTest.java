package dev.pipit.compress.variant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.security.privacy.RdpAccountant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The privacy variants on the PyTorch CNN with 1,500 training images (loose bounds; the documented table uses all). */
class PrivacyTechniquesTest {

    private static final LabeledImages TEST = TestData.test().slice(0, 500);
    private static CompressionContext context;

    @BeforeAll
    static void parent() throws Exception {
        Graph parent = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        context = CompressionContext.of(parent, TestData.train().slice(0, 1_500), TEST, 200, FineTuneBudget.minimal(), 1, 2,
                new PrintStream(OutputStream.nullOutputStream()));
    }

    private static double accuracy(Graph g) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(100, 1))) {
            return Evaluator.accuracy(interpreter, TEST, 100);
        }
    }

    @Test
    void dpEps3_meetsItsBudgetAndRecordsTheAccounting() {
        VariantResult r = Techniques.byId("dp-eps3").build(context);
        double epsilon = (Double) r.details().get("epsilon");
        double sigma = (Double) r.details().get("noiseMultiplier");
        double q = (Double) r.details().get("samplingRate");
        long steps = (Long) r.details().get("steps");
        assertTrue(epsilon <= 3 && epsilon > 2.9, "ε " + epsilon);
        assertEquals(epsilon, RdpAccountant.epsilon(q, sigma, steps, 1e-5), 1e-9);
        assertEquals(512 / 1500.0, q, 1e-12);
        assertEquals(1e-5, r.details().get("delta"));
        assertTrue(r.technique().contains("DP-SGD"), r.technique());
        assertTrue(r.technique().endsWith("int8 calibrated on public images"), r.technique()); // 9 noisy steps learn little: see DpSgdTrainerTest
    }

    @Test
    void sparse80Private_prunesEightyPercentOnPublicImagesOnly() {
        VariantResult r = Techniques.byId("sparse80-private").build(context);
        assertEquals(0.8, (Double) r.details().get("sparsity"), 0.001);
        assertEquals(250, r.details().get("publicImages"));
        assertTrue(r.graph().nodes().stream().anyMatch(n -> n.attributes().getOrDefault("weight_format", "dense").matches("csr|bitmap")));
        assertTrue(accuracy(r.graph()) > 0.6, "sparse80-private " + accuracy(r.graph()));
    }
}
