package dev.pipit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InterpreterTest {

    private static float[] randomInput(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    /**
     * x [n, 2] → QUANTIZE (scale 0.5, zp 3) → FC int8 (W = [[1, 2], [3, −1]], channel scales [1, 0.5],
     * bias [4, −8]; output scale 1, zp −10) → DEQUANTIZE → y [n, 2].
     */
    private static Graph tinyInt8Graph() {
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2}, null),
                Tensor.activation("q", DataType.INT8, new int[] {-1, 2}, Quantization.perTensor(0.5f, 3)),
                Tensor.constant("w", new byte[] {1, 2, 3, -1}, Quantization.perChannel(new float[] {1f, 0.5f}, 0), 2, 2),
                Tensor.constant("b", new int[] {4, -8}, Quantization.perChannel(new float[] {0.5f, 0.25f}, 0), 2),
                Tensor.activation("h", DataType.INT8, new int[] {-1, 2}, Quantization.perTensor(1f, -10)),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 2}, null)),
                List.of(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("q")),
                        new Node("fc", OpType.FULLY_CONNECTED, List.of("q", "w", "b"), List.of("h")),
                        new Node("dequantize", OpType.DEQUANTIZE, List.of("h"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    @Test
    void run_tinyInt8Network_matchesHandComputedResult() {
        // Sample 1: x = [1, −2.5] → q = [5, −2]; acc0 = 1·2 + 2·(−5) + 4 = −4, ×0.5 → −2, −10 → −12 → −2.0;
        //           acc1 = 3·2 + (−1)·(−5) − 8 = 3, ×0.25: high mul 1.5 → 2, ÷2 → 1, −10 → −9 → 1.0.
        // Sample 2: x = [−1, −0.25] → q = [1, 2] (−0.5 rounds away from zero to −1); acc0 = −2 − 2 + 4 = 0 → 0.0;
        //           acc1 = −6 + 1 − 8 = −13, ×0.25: high mul −6.5 → −6, ÷2 → −3, −10 → −13 → −3.0.
        try (Interpreter interpreter = Interpreter.load(tinyInt8Graph(), new RuntimeOptions(2, 1))) {
            float[] y = new float[4];
            interpreter.run(new float[] {1f, -2.5f, -1f, -0.25f}, 2, y);
            assertArrayEquals(new float[] {-2f, 1f, 0f, -3f}, y);
            assertEquals(4 + 4 * 2, interpreter.weightBytes());
        }
    }

    @Test
    void run_randomInt8Mlp_matchesNaiveReferenceBitExact() {
        Int8Mlp mlp = Int8Mlp.random(12, 100, 67, 33, 10);
        SplittableRandom random = new SplittableRandom(13);
        for (int threads : new int[] {1, 3}) {
            try (Interpreter interpreter = Interpreter.load(mlp.graph(), new RuntimeOptions(5, threads))) {
                for (int batch = 1; batch <= 5; batch++) {
                    float[] x = randomInput(random, batch * 100);
                    float[] y = new float[batch * 10];
                    interpreter.run(x, batch, y);
                    assertArrayEquals(mlp.reference(x, batch), y, "threads " + threads + " batch " + batch);
                    assertTrue(IntStream.range(0, y.length).mapToObj(i -> y[i]).distinct().count() > y.length / 2,
                            "outputs should spread, not saturate: " + Arrays.toString(y));
                }
            }
        }
    }

    @Test
    void weightBytes_int8Mlp_countsOneBytePerWeightAndFourPerBias() {
        Int8Mlp mlp = Int8Mlp.random(14, 784, 128, 10);
        try (Interpreter interpreter = Interpreter.load(mlp.graph(), RuntimeOptions.defaults())) {
            assertEquals(784 * 128 + 128 * 10 + 4 * (128 + 10), interpreter.weightBytes());
            assertEquals(mlp.weightBytes(), interpreter.weightBytes());
            assertEquals(784, interpreter.inputSize());
            assertEquals(10, interpreter.outputSize());
        }
    }

    @Test
    void arenaBytes_int8MlpChain_equalsLargestLivePair() {
        // int8 buffers q0 [784], q1 [256], q2 [128], q3 [10], each live from its producer to its reader:
        // the largest simultaneously live set is q0 + q1; fp32 x and y are the caller's arrays.
        try (Interpreter interpreter = Interpreter.load(Int8Mlp.random(15, 784, 256, 128, 10).graph(), new RuntimeOptions(4, 1))) {
            assertEquals(4 * (784 + 256), interpreter.arenaBytes());
        }
    }

    /** x [n, 2, 3] → FLATTEN → FC (fp32) → RELU → FC (fp32) → SOFTMAX → y [n, 4]. */
    private static Graph fp32Graph(float[] w1, float[] b1, float[] w2) {
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2, 3}, null),
                Tensor.activation("flat", DataType.FLOAT32, new int[] {-1, 6}, null),
                Tensor.constant("w1", w1, 5, 6), Tensor.constant("b1", b1, 5),
                Tensor.activation("h", DataType.FLOAT32, new int[] {-1, 5}, null),
                Tensor.activation("r", DataType.FLOAT32, new int[] {-1, 5}, null),
                Tensor.constant("w2", w2, 4, 5),
                Tensor.activation("logits", DataType.FLOAT32, new int[] {-1, 4}, null),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 4}, null)),
                List.of(new Node("flatten", OpType.FLATTEN, List.of("x"), List.of("flat")),
                        new Node("fc1", OpType.FULLY_CONNECTED, List.of("flat", "w1", "b1"), List.of("h")),
                        new Node("relu", OpType.RELU, List.of("h"), List.of("r")),
                        new Node("fc2", OpType.FULLY_CONNECTED, List.of("r", "w2"), List.of("logits")),
                        new Node("softmax", OpType.SOFTMAX, List.of("logits"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    @Test
    void run_fp32GraphWithViewsAndInPlaceOps_matchesNaiveReference() {
        SplittableRandom random = new SplittableRandom(16);
        float[] w1 = randomInput(random, 30), b1 = randomInput(random, 5), w2 = randomInput(random, 20);
        try (Interpreter interpreter = Interpreter.load(fp32Graph(w1, b1, w2), new RuntimeOptions(3, 2))) {
            // FLATTEN is a view of x, RELU overwrites h, SOFTMAX overwrites logits, which fc2 writes into y:
            // only h remains in the arena.
            assertEquals(4 * 5 * 3, interpreter.arenaBytes());
            assertEquals(4 * (30 + 5 + 20 + 4), interpreter.weightBytes()); // fc2's absent bias is held as zeros
            float[] x = randomInput(random, 18), y = new float[12];
            interpreter.run(x, 3, y);
            for (int b = 0; b < 3; b++) {
                double[] hidden = new double[5];
                for (int c = 0; c < 5; c++) {
                    double sum = b1[c];
                    for (int k = 0; k < 6; k++) {
                        sum += (double) w1[c * 6 + k] * x[b * 6 + k];
                    }
                    hidden[c] = Math.max(sum, 0);
                }
                double[] e = new double[4];
                double total = 0;
                for (int c = 0; c < 4; c++) {
                    double logit = 0;
                    for (int k = 0; k < 5; k++) {
                        logit += w2[c * 5 + k] * hidden[k];
                    }
                    e[c] = Math.exp(logit);
                    total += e[c];
                }
                for (int c = 0; c < 4; c++) {
                    assertEquals(e[c] / total, y[b * 4 + c], 1e-5, "sample " + b + " class " + c);
                }
            }
        }
    }

    @Test
    void run_flattenFromInputToOutput_copies() {
        Graph graph = new Graph(List.of(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2, 2}, null),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 4}, null)),
                List.of(new Node("flatten", OpType.FLATTEN, List.of("x"), List.of("y"))), List.of("x"), List.of("y"));
        try (Interpreter interpreter = Interpreter.load(graph, RuntimeOptions.defaults())) {
            float[] y = new float[4];
            interpreter.run(new float[] {1, 2, 3, 4}, 1, y);
            assertArrayEquals(new float[] {1, 2, 3, 4}, y);
            assertEquals(0, interpreter.arenaBytes());
        }
    }

    @Test
    void run_wrongInputLength_throwsWithSizes() {
        try (Interpreter interpreter = Interpreter.load(tinyInt8Graph(), new RuntimeOptions(2, 1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> interpreter.run(new float[3], 1, new float[2]));
            assertEquals("input must hold batch × inputSize = 1 × 2 = 2 floats, holds 3", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> interpreter.run(new float[4], 2, new float[2]));
            assertTrue(e.getMessage().startsWith("output must hold batch × outputSize = 2 × 2 = 4 floats"), e.getMessage());
        }
    }

    @Test
    void run_batchAboveMaxBatch_throws() {
        try (Interpreter interpreter = Interpreter.load(tinyInt8Graph(), new RuntimeOptions(2, 1))) {
            var e = assertThrows(IllegalArgumentException.class, () -> interpreter.run(new float[6], 3, new float[6]));
            assertEquals("batch must be in [1, 2] (maxBatch), was 3", e.getMessage());
        }
    }

    @Test
    void run_afterClose_throws() {
        Interpreter interpreter = Interpreter.load(tinyInt8Graph(), new RuntimeOptions(1, 2));
        interpreter.close();
        assertThrows(IllegalStateException.class, () -> interpreter.run(new float[2], 1, new float[2]));
    }

    // ---- malformed graphs: each rejected at load, naming the culprit ----

    private static InvalidGraphException rejected(Graph graph) {
        return assertThrows(InvalidGraphException.class, () -> Interpreter.load(graph, RuntimeOptions.defaults()));
    }

    private static Graph withNodes(Graph graph, List<Node> nodes) {
        return new Graph(graph.tensors(), nodes, graph.inputs(), graph.outputs());
    }

    private static Graph withTensor(Graph graph, Tensor replacement) {
        List<Tensor> tensors = new ArrayList<>(graph.tensors());
        tensors.replaceAll(t -> t.name().equals(replacement.name()) ? replacement : t);
        return new Graph(tensors, graph.nodes(), graph.inputs(), graph.outputs());
    }

    @Test
    void load_unknownTensor_throwsNamingNodeAndTensor() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.set(1, new Node("fc", OpType.FULLY_CONNECTED, List.of("q", "w_missing", "b"), List.of("h")));
        assertEquals("node fc uses unknown tensor w_missing", rejected(withNodes(graph, nodes)).getMessage());
    }

    @Test
    void load_tensorReadBeforeItIsProduced_throws() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = List.of(graph.nodes().get(1), graph.nodes().get(0), graph.nodes().get(2));
        assertEquals("node fc reads q before node quantize produces it", rejected(withNodes(graph, nodes)).getMessage());
    }

    @Test
    void load_tensorNeverProduced_throws() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = List.of(graph.nodes().get(1), graph.nodes().get(2));
        assertTrue(rejected(withNodes(graph, nodes)).getMessage().startsWith("node fc reads q, which no node produces"));
    }

    @Test
    void load_weightsNotMatchingInputWidth_throwsShapeMismatch() {
        Graph graph = withTensor(tinyInt8Graph(),
                Tensor.constant("w", new byte[6], Quantization.perChannel(new float[] {1f, 0.5f}, 0), 2, 3));
        String message = rejected(graph).getMessage();
        assertTrue(message.startsWith("node fc (FULLY_CONNECTED): shapes do not fit: input q [-1, 2], weights w [2, 3]"), message);
    }

    @Test
    void load_int8ActivationWithoutQuantization_throws() {
        Graph graph = withTensor(tinyInt8Graph(), Tensor.activation("h", DataType.INT8, new int[] {-1, 2}, null));
        assertEquals("node fc (FULLY_CONNECTED): int8 activation h needs a per-tensor quantization, has null",
                rejected(graph).getMessage());
    }

    @Test
    void load_biasWithoutQuantization_throws() {
        Graph graph = withTensor(tinyInt8Graph(), Tensor.constant("b", new int[] {4, -8}, null, 2));
        assertEquals("node fc (FULLY_CONNECTED): int32 bias b has no quantization", rejected(graph).getMessage());
    }

    @Test
    void load_biasScaleNotInputTimesWeightScale_throws() {
        Graph graph = withTensor(tinyInt8Graph(),
                Tensor.constant("b", new int[] {4, -8}, Quantization.perChannel(new float[] {0.5f, 0.5f}, 0), 2));
        assertTrue(rejected(graph).getMessage().contains("bias b channel 1 has scale 0.5"));
    }

    @Test
    void load_weightScalesAlongInputAxis_throws() {
        Graph graph = withTensor(tinyInt8Graph(),
                Tensor.constant("w", new byte[] {1, 2, 3, -1}, Quantization.perChannel(new float[] {1f, 0.5f}, 1), 2, 2));
        assertTrue(rejected(graph).getMessage().contains("per-output-channel (axis 0)"));
    }

    @Test
    void tensor_perChannelScaleCountNotMatchingChannels_throws() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                Tensor.constant("w", new byte[4], Quantization.perChannel(new float[] {1f, 1f, 1f}, 0), 2, 2));
        assertEquals("tensor w has 3 channel scales for dimension of size 2", e.getMessage());
    }

    @Test
    void load_weightOfMinus128_throws() {
        Graph graph = withTensor(tinyInt8Graph(),
                Tensor.constant("w", new byte[] {1, -128, 3, -1}, Quantization.perChannel(new float[] {1f, 0.5f}, 0), 2, 2));
        assertTrue(rejected(graph).getMessage().contains("int8 weights w hold -128"));
    }

    @Test
    void load_int8InputWithFp32Weights_throwsNoKernel() {
        Graph graph = withTensor(tinyInt8Graph(), Tensor.constant("w", new float[4], 2, 2));
        assertEquals("node fc (FULLY_CONNECTED): no FULLY_CONNECTED kernel for input INT8, weights FLOAT32, bias INT32, "
                + "output INT8 (supported: all FLOAT32; or INT8, INT8, INT32, INT8)", rejected(graph).getMessage());
    }

    @Test
    void load_int8SoftmaxWithoutTfliteOutputQuantization_throws() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.add(2, new Node("softmax", OpType.SOFTMAX, List.of("h"), List.of("h2")));
        nodes.set(3, new Node("dequantize", OpType.DEQUANTIZE, List.of("h2"), List.of("y")));
        List<Tensor> tensors = new ArrayList<>(graph.tensors());
        tensors.add(Tensor.activation("h2", DataType.INT8, new int[] {-1, 2}, Quantization.perTensor(1f, -10)));
        assertTrue(rejected(new Graph(tensors, nodes, graph.inputs(), graph.outputs())).getMessage().startsWith(
                "node softmax (SOFTMAX): int8 softmax output h2 must have scale 1/256 and zero point -128 (TFLite)"));
    }

    @Test
    void load_unknownActivation_throwsNamingNode() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.set(1, new Node("fc", OpType.FULLY_CONNECTED, List.of("q", "w", "b"), List.of("h"), Map.of("activation", "GELU")));
        assertEquals("node fc (FULLY_CONNECTED): unknown activation GELU (supported: NONE, RELU, RELU6, CLIP)",
                rejected(withNodes(graph, nodes)).getMessage());
    }

    @Test
    void load_requantizationMultiplierOutOfRange_throwsNamingNode() {
        Graph graph = withTensor(tinyInt8Graph(), Tensor.activation("h", DataType.INT8, new int[] {-1, 2},
                Quantization.perTensor(1e-12f, -10)));
        String message = assertThrows(InvalidGraphException.class,
                () -> Interpreter.load(graph, new RuntimeOptions(1, 2))).getMessage();
        assertTrue(message.startsWith("node fc (FULLY_CONNECTED): real multiplier must be in [0, 2^30), was 5.0"), message);
    }

    @Test
    void load_outputProducedTwice_throws() {
        Graph graph = tinyInt8Graph();
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.add(new Node("dequantize2", OpType.DEQUANTIZE, List.of("h"), List.of("y")));
        assertEquals("tensor y is produced by both node dequantize and node dequantize2", rejected(withNodes(graph, nodes)).getMessage());
    }

    @Test
    void load_graphInputNotDeclared_throws() {
        Graph graph = tinyInt8Graph();
        assertEquals("graph input image is not a declared tensor",
                rejected(new Graph(graph.tensors(), graph.nodes(), List.of("image"), graph.outputs())).getMessage());
    }
}
