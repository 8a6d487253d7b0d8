package dev.pipit.compress.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StaticQuantizerTest {

    private static Graph fp32;
    private static Graph int8;

    @BeforeAll
    static void quantizePytorchMlp() throws IOException {
        fp32 = OnnxImporter.read(TestData.model("mlp_fp32.onnx"));
        int8 = StaticQuantizer.quantize(fp32, TestData.floats(TestData.train(), 1_000), 1_000);
    }

    private static int[] predict(Graph g, LabeledImages images) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(100, 1))) {
            return Evaluator.predict(interpreter, images, 100);
        }
    }

    @Test
    void quantize_pytorchMlp_agreesWithFp32AndLosesAtMostAThirdOfAPoint() {
        LabeledImages test = TestData.test();
        int[] a = predict(fp32, test);
        int[] b = predict(int8, test);
        int agree = 0;
        int correctFp32 = 0;
        int correctInt8 = 0;
        for (int i = 0; i < test.count(); i++) {
            agree += a[i] == b[i] ? 1 : 0;
            correctFp32 += a[i] == test.label(i) ? 1 : 0;
            correctInt8 += b[i] == test.label(i) ? 1 : 0;
        }
        assertTrue(agree >= 9_900, "argmax agreement " + agree + " of 10000");
        assertTrue(correctInt8 >= correctFp32 - 30, "int8 " + correctInt8 + " vs fp32 " + correctFp32 + " correct");
    }

    @Test
    void quantize_pytorchMlp_followsTheRuntimeConvention() {
        assertEquals(List.of(OpType.QUANTIZE, OpType.FLATTEN, OpType.FULLY_CONNECTED, OpType.FULLY_CONNECTED,
                OpType.FULLY_CONNECTED, OpType.DEQUANTIZE), int8.nodes().stream().map(Node::op).toList());
        assertEquals(fp32.inputs(), int8.inputs());
        assertEquals(fp32.outputs(), int8.outputs());
        Map<String, Tensor> t = int8.tensorsByName();
        assertEquals(DataType.FLOAT32, t.get("logits").type());
        // inputs in [0, 1]: exactly the pixel grid k/255 with zero point -128; FLATTEN keeps it
        Quantization in = t.get(int8.nodes().get(0).outputs().get(0)).quantization();
        assertEquals(1f / 255f, in.scale(), 1e-9f);
        assertEquals(-128, in.zeroPoint());
        for (Node n : int8.nodes().subList(2, 5)) {
            Tensor x = t.get(n.inputs().get(0));
            Tensor w = t.get(n.inputs().get(1));
            Tensor b = t.get(n.inputs().get(2));
            assertEquals(DataType.INT8, w.type());
            assertEquals(0, w.quantization().axis());
            assertArrayEquals(new int[w.shape()[0]], w.quantization().zeroPoints());
            for (byte q : w.bytes()) {
                assertTrue(q >= -127, "weights stay in [-127, 127]");
            }
            assertEquals(DataType.INT32, b.type());
            float[] ws = w.quantization().scales();
            float[] bs = b.quantization().scales();
            for (int c = 0; c < ws.length; c++) {
                assertEquals(x.quantization().scale() * ws[c], bs[c], 1e-12f);
            }
            Quantization out = t.get(n.outputs().get(0)).quantization();
            if (n.activation() == Activation.RELU) {
                assertEquals(-128, out.zeroPoint(), "a ReLU output's range starts at 0");
            }
        }
    }

    @Test
    void quantize_weights_dequantizeWithinHalfAStep() {
        Tensor w32 = fp32.tensorsByName().get("f2.weight");
        Tensor w8 = int8.tensorsByName().get("f2.weight");
        float[] real = w32.floats();
        byte[] q = w8.bytes();
        float[] scales = w8.quantization().scales();
        int in = w32.shape()[1];
        for (int i = 0; i < real.length; i++) {
            float s = scales[i / in];
            assertEquals(real[i], q[i] * s, s / 2 + 1e-7f, "weight " + i);
        }
    }
}
