package dev.pipit.compress.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.compress.OnnxRuntimeOracle;
import dev.pipit.compress.TestData;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.proto.AttributeProto;
import dev.pipit.compress.onnx.proto.GraphProto;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.onnx.proto.OperatorSetIdProto;
import dev.pipit.compress.onnx.proto.TensorProto;
import dev.pipit.compress.onnx.proto.TensorShapeProto;
import dev.pipit.compress.onnx.proto.TypeProto;
import dev.pipit.compress.onnx.proto.ValueInfoProto;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImporterTest {

    @Test
    void read_pytorchMlp_reproducesPytorchTestAccuracy() throws IOException {
        Graph g = OnnxImporter.read(TestData.model("mlp_fp32.onnx"));
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(100, 1))) {
            double accuracy = Evaluator.accuracy(interpreter, TestData.test(), 100);
            assertEquals(0.8765, accuracy, 0.001); // PyTorch 1.13 measured 87.65% (models/README.md)
        }
    }

    @Test
    void read_pytorchMlp_foldsShapeSubgraphAndFusesRelu() throws IOException {
        Graph g = OnnxImporter.read(TestData.model("mlp_fp32.onnx"));
        assertEquals(List.of(OpType.FLATTEN, OpType.FULLY_CONNECTED, OpType.FULLY_CONNECTED, OpType.FULLY_CONNECTED),
                g.nodes().stream().map(Node::op).toList());
        assertEquals(List.of(Activation.NONE, Activation.RELU, Activation.RELU, Activation.NONE),
                g.nodes().stream().map(Node::activation).toList());
        assertEquals(List.of("input"), g.inputs());
        assertEquals(List.of("logits"), g.outputs());
        assertArrayEquals(new int[] {-1, 1, 28, 28}, g.tensorsByName().get("input").shape());
        assertArrayEquals(new int[] {256, 784}, g.tensorsByName().get("f1.weight").shape());
        assertEquals(4L * 235_146, g.weightBytes());
    }

    @Test
    void read_pytorchCnn_reproducesPytorchTestAccuracy() throws IOException {
        Graph g = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        assertEquals(List.of(OpType.CONV_2D, OpType.MAX_POOL, OpType.CONV_2D, OpType.MAX_POOL, OpType.FLATTEN,
                OpType.FULLY_CONNECTED, OpType.FULLY_CONNECTED), g.nodes().stream().map(Node::op).toList());
        assertEquals(4L * 108_618, g.weightBytes());
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(100, 1))) {
            double accuracy = Evaluator.accuracy(interpreter, TestData.test(), 100);
            assertEquals(0.8789, accuracy, 0.001); // PyTorch 1.13 measured 87.89% (models/README.md)
        }
    }

    @Test
    void read_notOnnx_failsClearly(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.onnx");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01});
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.read(f));
        assertTrue(e.getMessage().contains("is not an ONNX model"), e.getMessage());
    }

    /** MatMul + Add with float_data weights, Dropout, Relu, Softmax: forms PyTorch and others also emit. */
    @Test
    void importModel_matMulAddDropoutSoftmax_computesTheSameFunction() throws IOException {
        float[] w = {1, -2, 0.5f, 3, -1, 2}; // [in 3, out 2]
        float[] b = {0.25f, -4};
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(input("x", 3))
                .addOutput(ValueInfoProto.newBuilder().setName("p"))
                .addInitializer(floatData("w", w, 3, 2))
                .addInitializer(rawFloats("b", b, 2))
                .addNode(node("mm", "MatMul", List.of("x", "w"), "h"))
                .addNode(node("add", "Add", List.of("h", "b"), "hb"))
                .addNode(node("drop", "Dropout", List.of("hb"), "d"))
                .addNode(node("relu", "Relu", List.of("d"), "r"))
                .addNode(node("sm", "Softmax", List.of("r"), "p").addAttribute(intAttr("axis", -1)));
        Graph graph = OnnxImporter.importModel(model(g));
        assertEquals(List.of(OpType.FULLY_CONNECTED, OpType.SOFTMAX), graph.nodes().stream().map(Node::op).toList());
        assertEquals(Activation.RELU, graph.nodes().get(0).activation(), "Relu fuses through the Dropout");
        float[] x = {1, 2, 3};
        float[] out = Calibrator.run(graph, x, 1);
        float h0 = Math.max(0, 1 * 1 + 2 * 0.5f + 3 * -1 + 0.25f);
        float h1 = Math.max(0, 1 * -2 + 2 * 3 + 3 * 2 - 4f);
        double e0 = Math.exp(h0);
        double e1 = Math.exp(h1);
        assertEquals(e0 / (e0 + e1), out[0], 1e-6);
        assertEquals(e1 / (e0 + e1), out[1], 1e-6);
    }

    /**
     * Conv (padded) + BatchNormalization (folded) + Relu, a second Conv added to it (residual Add),
     * AveragePool, GlobalAveragePool, Flatten, MatMul + Add: Pipit's import run by the Pipit runtime
     * must compute what ONNX Runtime computes from the same file.
     */
    @Test
    void importModel_convBatchNormAddPoolsMatMul_matchesOnnxRuntime() throws Exception {
        java.util.Random random = new java.util.Random(9);
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(image("x", 2, 8, 8))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addInitializer(rawFloats("w1", gaussian(random, 4 * 2 * 9), 4, 2, 3, 3))
                .addInitializer(rawFloats("b1", gaussian(random, 4), 4))
                .addInitializer(rawFloats("gamma", positive(random, 4), 4))
                .addInitializer(rawFloats("beta", gaussian(random, 4), 4))
                .addInitializer(rawFloats("mean", gaussian(random, 4), 4))
                .addInitializer(rawFloats("var", positive(random, 4), 4))
                .addInitializer(rawFloats("w2", gaussian(random, 4 * 2), 4, 2, 1, 1))
                .addInitializer(rawFloats("m", gaussian(random, 4 * 3), 4, 3))
                .addInitializer(rawFloats("c", gaussian(random, 3), 3))
                .addNode(node("conv1", "Conv", List.of("x", "w1", "b1"), "c1").addAttribute(ints("pads", 1, 1, 1, 1)))
                .addNode(NodeProto.newBuilder().setName("bn").setOpType("BatchNormalization")
                        .addAllInput(List.of("c1", "gamma", "beta", "mean", "var")).addOutput("n1"))
                .addNode(node("relu", "Relu", List.of("n1"), "r1"))
                .addNode(node("conv2", "Conv", List.of("x", "w2"), "c2"))
                .addNode(node("add", "Add", List.of("r1", "c2"), "s"))
                .addNode(node("avg", "AveragePool", List.of("s"), "a").addAttribute(ints("kernel_shape", 2, 2))
                        .addAttribute(ints("strides", 2, 2)))
                .addNode(node("gap", "GlobalAveragePool", List.of("a"), "p"))
                .addNode(node("flat", "Flatten", List.of("p"), "f"))
                .addNode(node("mm", "MatMul", List.of("f", "m"), "h"))
                .addNode(node("bias", "Add", List.of("h", "c"), "y"));
        ModelProto model = model(g);
        Graph graph = OnnxImporter.importModel(model);
        assertEquals(List.of(OpType.CONV_2D, OpType.CONV_2D, OpType.ADD, OpType.AVERAGE_POOL, OpType.GLOBAL_AVERAGE_POOL,
                OpType.FLATTEN, OpType.FULLY_CONNECTED), graph.nodes().stream().map(Node::op).toList());
        assertEquals(Activation.RELU, graph.nodes().get(0).activation(), "BatchNormalization folded, Relu fused");
        float[] x = gaussian(random, 5 * 2 * 8 * 8);
        float[] pipit = Calibrator.run(graph, x, 5);
        try (OnnxRuntimeOracle ort = new OnnxRuntimeOracle(model.toByteArray())) {
            float[] expected = ort.run(x, 5, 2, 8, 8);
            assertEquals(expected.length, pipit.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], pipit[i], 1e-4f * Math.max(1f, Math.abs(expected[i])), "output " + i);
            }
        }
    }

    private static float[] gaussian(java.util.Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] positive(java.util.Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + random.nextFloat();
        }
        return v;
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static ValueInfoProto image(String name, int channels, int height, int width) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("n"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(channels))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(height))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
    }

    @Test
    void importModel_reluOfASharedOutput_staysSeparate() throws IOException {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(input("x", 2))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addOutput(ValueInfoProto.newBuilder().setName("h"))
                .addInitializer(floatData("w", new float[] {1, 0, 0, -1}, 2, 2))
                .addNode(node("fc", "Gemm", List.of("x", "w"), "h"))
                .addNode(node("relu", "Relu", List.of("h"), "y"));
        Graph graph = OnnxImporter.importModel(model(g));
        assertEquals(List.of(OpType.FULLY_CONNECTED, OpType.RELU), graph.nodes().stream().map(Node::op).toList());
        assertEquals(Activation.NONE, graph.nodes().get(0).activation());
        assertEquals(List.of("y", "h"), graph.outputs());
    }

    @Test
    void importModel_unsupportedOperator_failsWithNodeNameAndOp() {
        GraphProto.Builder g = GraphProto.newBuilder()
                .addInput(input("x", 4))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addNode(node("my_tanh", "Tanh", List.of("x"), "y"));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(model(g)));
        assertTrue(e.getMessage().contains("node my_tanh (Tanh)"), e.getMessage());
    }

    @Test
    void importModel_externalData_isRefused() {
        TensorProto external = TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(4).addDims(2).setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        GraphProto.Builder g = GraphProto.newBuilder().addInput(input("x", 4)).addInitializer(external)
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addNode(node("mm", "MatMul", List.of("x", "w"), "y"));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(model(g)));
        assertTrue(e.getMessage().contains("external data"), e.getMessage());
    }

    @Test
    void importModel_reshapeThatIsNotAFlatten_fails() {
        TensorProto shape = TensorProto.newBuilder().setName("s").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(2).addInt64Data(2).addInt64Data(-1).build();
        GraphProto.Builder g = GraphProto.newBuilder().addInput(input("x", 4)).addInitializer(shape)
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addNode(node("rs", "Reshape", List.of("x", "s"), "y"));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.importModel(model(g)));
        assertTrue(e.getMessage().contains("node rs (Reshape)"), e.getMessage());
    }

    static ModelProto model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
    }

    static ValueInfoProto input(String name, int features) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("n"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(features))))).build();
    }

    static NodeProto.Builder node(String name, String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addOutput(output);
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static TensorProto floatData(String name, float[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static TensorProto rawFloats(String name, float[] values, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
