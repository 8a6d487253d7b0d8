package dev.pipit.compress.variant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.security.evasion.Backprop;
import dev.pipit.compress.security.evasion.EvasionProbe;
import dev.pipit.compress.security.evasion.LinfAttack;
import dev.pipit.compress.security.evasion.VariantNetwork;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** adv-pgd on a small budget (1,000 training images, one epoch): already more robust than plain int8. */
class AdversarialInt8Test {

    private static final int N = 100;

    @Test
    void build_smallBudget_int8MoreRobustThanUndefendedInt8() throws Exception {
        Graph parent = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        LabeledImages test = TestData.test().slice(0, N);
        CompressionContext context = CompressionContext.of(parent, TestData.train().slice(0, 1_000), test, 200,
                FineTuneBudget.minimal(), 1, 2, new PrintStream(OutputStream.nullOutputStream()));
        VariantResult defended = Techniques.byId("adv-pgd").build(context);
        Graph plain = StaticQuantizer.quantize(parent, context.calibration(), context.calibrationCount());
        assertTrue(defended.graph().tensors().stream().anyMatch(t -> t.type() == DataType.INT8), "quantized");
        assertEquals(1_000, defended.details().get("trainImages"));
        double robust = whiteBoxPgd(defended.graph(), test);
        double undefended = whiteBoxPgd(plain, test);
        assertTrue(robust > undefended + 0.03, "PGD accuracy defended " + robust + " vs undefended " + undefended);
    }

    /** Accuracy of the graph's int8 kernels on PGD ε 0.1 examples crafted on its own dequantized weights. */
    private static double whiteBoxPgd(Graph g, LabeledImages test) {
        float[] clean = TestData.floats(test, N);
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = test.label(i);
        }
        float[] adv = LinfAttack.pgd(EvasionProbe.EPSILON, EvasionProbe.PGD_STEPS, 3)
                .craft(new Backprop(VariantNetwork.lower(g), 100, 2), clean, labels, N);
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(N, 1))) {
            return EvasionProbe.accuracy(interpreter, adv, labels);
        }
    }
}
