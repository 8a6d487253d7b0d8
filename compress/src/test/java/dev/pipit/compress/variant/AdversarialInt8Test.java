package dev.pipit.compress.variant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.OpType;
import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/**
 * adv-pgd end to end on a tiny budget (300 fine-tuning images): a static int8 graph that still classifies,
 * with its budget in the details. That the training raises robustness is AdversarialTrainingTest's job.
 */
class AdversarialInt8Test {

    @Test
    void build_tinyBudget_staticInt8WithItsBudgetInTheDetails() throws Exception {
        LabeledImages test = TestData.test().slice(0, 200);
        CompressionContext context = CompressionContext.of(OnnxImporter.read(TestData.model("cnn_fp32.onnx")),
                TestData.train().slice(0, 300), test, 100, FineTuneBudget.minimal(), 1, 2,
                new PrintStream(OutputStream.nullOutputStream()));
        VariantResult r = Techniques.byId("adv-pgd").build(context);
        assertTrue(r.graph().nodes().stream().anyMatch(n -> n.op() == OpType.QUANTIZE), "quantized input");
        assertTrue(r.graph().tensors().stream().filter(t -> t.isConstant() && t.shape().length > 1)
                .allMatch(t -> t.type() == DataType.INT8), "int8 weights");
        assertEquals(300, r.details().get("trainImages"));
        assertEquals(AdversarialInt8.EPOCHS, r.details().get("epochs"));
        assertEquals(5, r.calibration().size(), r.calibration().toString());
        try (Interpreter interpreter = Interpreter.load(r.graph(), new RuntimeOptions(100, 1))) {
            double accuracy = Evaluator.accuracy(interpreter, test, 100);
            assertTrue(accuracy > 0.75, "accuracy " + accuracy);
        }
    }
}
