package dev.pipit.compress.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pipit.compress.OnnxRuntimeOracle;
import dev.pipit.compress.TestData;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.compress.train.NetworkTrainer;
import dev.pipit.compress.train.TrainingOptions;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.train.Mlp;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {

    private static float[] outputs(Graph g, float[] inputs, int n) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(n, 1))) {
            float[] out = new float[n * interpreter.outputSize()];
            interpreter.run(inputs, n, out);
            return out;
        }
    }

    @Test
    void write_thenRead_identicalOutputs(@TempDir Path dir) throws IOException {
        Graph original = Mlp.reference(11).toGraph();
        Path file = dir.resolve("m.onnx");
        OnnxExporter.write(original, file);
        Graph back = OnnxImporter.read(file);
        float[] in = TestData.floats(TestData.test(), 64);
        assertArrayEquals(outputs(original, in, 64), outputs(back, in, 64));
        assertEquals(original.weightBytes(), back.weightBytes());
    }

    @Test
    void write_trainedCnn_readBackAndOnnxRuntimeComputeTheSameLogits(@TempDir Path dir) throws Exception {
        Network net = Network.referenceCnn(5);
        NetworkTrainer.train(net, TestData.train().slice(0, 500), null, TrainingOptions.defaults(1, 5), s -> { });
        Graph original = GraphLowering.toGraph(net);
        Path file = dir.resolve("cnn.onnx");
        OnnxExporter.write(original, file);
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(List.of("Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"),
                m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
        Graph back = OnnxImporter.read(file);
        float[] in = TestData.floats(TestData.test(), 32);
        float[] expected = outputs(original, in, 32);
        assertArrayEquals(expected, outputs(back, in, 32));
        try (OnnxRuntimeOracle ort = new OnnxRuntimeOracle(m.toByteArray())) {
            float[] actual = ort.run(in, 32, 1, 28, 28);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4f * Math.max(1f, Math.abs(expected[i])), "logit " + i);
            }
        }
    }

    @Test
    void toModel_mlp_isStandardOpset13WithDynamicBatch() throws IOException {
        ModelProto m = ModelProto.parseFrom(OnnxExporter.toModel(Mlp.reference(1).toGraph()).toByteArray());
        assertEquals(13, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals("input", m.getGraph().getInput(0).getName());
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(28, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(3).getDimValue());
        assertEquals("logits", m.getGraph().getOutput(0).getName());
        assertEquals(List.of("Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"),
                m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
        NodeProto gemm = m.getGraph().getNode(1);
        assertEquals(1, gemm.getAttributeList().stream().filter(a -> a.getName().equals("transB")).findFirst()
                .orElseThrow().getI());
        assertEquals(6, m.getGraph().getInitializerCount());
    }

    @Test
    void toModel_int8Graph_isRefused() {
        Graph fp32 = Mlp.reference(2).toGraph();
        Graph int8 = StaticQuantizer.quantize(fp32, TestData.floats(TestData.train(), 10), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.toModel(int8));
        assertEquals(true, e.getMessage().contains("fp32"), e.getMessage());
    }

    @Test
    void write_existingDirectoryAsTarget_leavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child"));
        assertThrows(IOException.class, () -> OnnxExporter.write(Mlp.reference(1).toGraph(), target));
        assertEquals(true, Files.isDirectory(target.resolve("child")));
        assertEquals(false, Files.exists(dir.resolve("occupied.tmp")));
    }
}
