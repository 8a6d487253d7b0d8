package dev.pipit.compress.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.OnnxRuntimeOracle;
import dev.pipit.compress.TestData;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QdqExporterTest {

    private static Graph int8;

    @BeforeAll
    static void quantizePytorchCnn() throws Exception {
        Graph fp32 = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        int8 = StaticQuantizer.quantize(fp32, TestData.floats(TestData.train(), 500), 500);
    }

    @Test
    void toModel_int8Cnn_onnxRuntimeAccuracyWithinAFifthOfAPointOfPipit() throws Exception {
        ModelProto model = QdqExporter.toModel(int8);
        List<String> ops = model.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertTrue(ops.contains("QuantizeLinear") && ops.contains("DequantizeLinear") && ops.contains("Conv"), ops.toString());
        NodeProto weightDq = model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("DequantizeLinear") && n.getOutput(0).equals("c1.weight")).findFirst().orElseThrow();
        assertEquals(0, weightDq.getAttribute(0).getI(), "per-channel weights along axis 0");
        double pipit;
        try (Interpreter interpreter = Interpreter.load(int8, new RuntimeOptions(100, 1))) {
            pipit = Evaluator.accuracy(interpreter, TestData.test(), 100);
        }
        try (OnnxRuntimeOracle ort = new OnnxRuntimeOracle(model.toByteArray())) {
            double onnxRuntime = ort.accuracy(TestData.test());
            assertEquals(pipit, onnxRuntime, 0.002, "Pipit int8 " + pipit + ", ONNX Runtime QDQ " + onnxRuntime);
        }
    }

    @Test
    void toModel_compressedWeights_isRefusedNamingTheNode() {
        List<Node> nodes = new ArrayList<>();
        Map<String, dev.pipit.runtime.graph.Tensor> tensors = new HashMap<>(int8.tensorsByName());
        List<dev.pipit.runtime.graph.Tensor> all = new ArrayList<>(int8.tensors());
        for (Node n : int8.nodes()) {
            if (n.name().equals("/f2/Gemm")) {
                List<dev.pipit.runtime.graph.Tensor> csr = CompressedWeights.csr(tensors.get(n.inputs().get(1)));
                all.removeIf(t -> t.name().equals(n.inputs().get(1)));
                all.addAll(csr);
                nodes.add(new Node(n.name(), OpType.FULLY_CONNECTED, List.of(n.inputs().get(0), csr.get(0).name(),
                        csr.get(1).name(), csr.get(2).name(), n.inputs().get(2)), n.outputs(),
                        Map.of("activation", "NONE", "weight_format", "csr")));
            } else {
                nodes.add(n);
            }
        }
        Graph sparse = new Graph(all, nodes, int8.inputs(), int8.outputs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QdqExporter.toModel(sparse));
        assertTrue(e.getMessage().contains("/f2/Gemm") && e.getMessage().contains("csr"), e.getMessage());
    }
}
