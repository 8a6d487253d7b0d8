package dev.pipit.runtime;

import static dev.pipit.runtime.InterpreterCnnTest.randomInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.kernel.NaiveInt8Ops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Operators beyond the MLP's through the interpreter: fp32 CNN, compressed weights, MATMUL, dynamic FC, data movement. */
class InterpreterOpsTest {

    private static float[] run(Graph graph, float[] x, int batch, int threads) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(Math.max(batch, 1), threads))) {
            float[] y = new float[batch * interpreter.outputSize()];
            interpreter.run(x, batch, y);
            return y;
        }
    }

    // ---- fp32 CNN and batch normalization ----

    @Test
    void run_fp32Cnn_matchesDoubleReference() {
        FloatCnn cnn = FloatCnn.random(101);
        SplittableRandom random = new SplittableRandom(102);
        for (int threads : new int[] {1, 2}) {
            float[] x = randomInput(random, 3 * FloatCnn.INPUT);
            float[] y = run(cnn.graph(), x, 3, threads);
            double[] expected = cnn.reference(x, 3);
            for (int i = 0; i < y.length; i++) {
                assertEquals(expected[i], y[i], 1e-5, "threads " + threads + " output " + i);
            }
        }
    }

    @Test
    void load_batchNormAfterPlainConv_isFoldedAwayAndTheOtherKept() {
        FloatCnn cnn = FloatCnn.random(103);
        try (Interpreter interpreter = Interpreter.load(cnn.graph(), RuntimeOptions.defaults())) {
            // conv 1 (folded weights and bias), depthwise conv, the second batch norm's 4 × 4 parameters,
            // fc with bias, the ADD constant; the first batch norm's parameters are gone.
            long expected = 4L * (4 * 27 + 4) + 4L * (4 * 9 + 4) + 4L * 16 + 4L * (12 + 3) + 4L * 3;
            assertEquals(expected, interpreter.weightBytes());
        }
    }

    // ---- compressed weights ----

    /** The MLP with every FULLY_CONNECTED's weights replaced by {@code format}'s tensors. */
    private static Graph compressed(Graph dense, String format) {
        Map<String, Tensor> tensors = dense.tensorsByName();
        List<Tensor> all = new ArrayList<>(dense.tensors());
        List<Node> nodes = new ArrayList<>();
        for (Node n : dense.nodes()) {
            if (n.op() != OpType.FULLY_CONNECTED) {
                nodes.add(n);
                continue;
            }
            Tensor w = tensors.get(n.inputs().get(1));
            List<Tensor> parts = switch (format) {
                case "csr" -> CompressedWeights.csr(w);
                case "bitmap" -> CompressedWeights.bitmap(w);
                case "palette4" -> CompressedWeights.palette(w, 4, true);
                default -> CompressedWeights.palette(w, 8, false);
            };
            all.remove(w);
            all.addAll(parts);
            List<String> inputs = new ArrayList<>(List.of(n.inputs().get(0)));
            parts.forEach(p -> inputs.add(p.name()));
            inputs.add(n.inputs().get(2));
            Map<String, String> attributes = new HashMap<>(n.attributes());
            attributes.put("weight_format", format);
            nodes.add(new Node(n.name(), n.op(), inputs, n.outputs(), attributes));
        }
        return new Graph(all, nodes, dense.inputs(), dense.outputs());
    }

    /** An int8 MLP whose weights take at most 15 values per output channel, seven eighths of them zero (CSR pays below 1/3). */
    private static Int8Mlp sparseFewLevelMlp(long seed) {
        Int8Mlp mlp = Int8Mlp.random(seed, 300, 64, 10);
        SplittableRandom random = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>(mlp.graph().tensors());
        tensors.replaceAll(t -> {
            if (!t.isConstant() || t.type() != DataType.INT8) {
                return t;
            }
            byte[] w = t.bytes();
            int rows = t.shape()[0], cols = t.shape()[1];
            for (int r = 0; r < rows; r++) {
                int[] levels = random.ints(14, -127, 128).toArray();
                for (int k = 0; k < cols; k++) {
                    w[r * cols + k] = random.nextInt(8) == 0 ? (byte) levels[random.nextInt(14)] : 0;
                }
            }
            return Tensor.constant(t.name(), w, t.quantization(), t.shape());
        });
        return new Int8Mlp(new Graph(tensors, mlp.graph().nodes(), mlp.graph().inputs(), mlp.graph().outputs()),
                mlp.widths(), mlp.layers(), mlp.inputScale(), mlp.inputZeroPoint());
    }

    @Test
    void run_compressedWeightFormats_equalDenseBitExactlyAndHoldFewerBytes() {
        Graph dense = sparseFewLevelMlp(104).graph();
        SplittableRandom random = new SplittableRandom(105);
        float[] x = randomInput(random, 4 * 300);
        float[] expected = run(dense, x, 4, 1);
        long denseBytes;
        try (Interpreter interpreter = Interpreter.load(dense, RuntimeOptions.defaults())) {
            denseBytes = interpreter.weightBytes();
        }
        for (String format : new String[] {"csr", "bitmap", "palette4", "palette8"}) {
            Graph graph = compressed(dense, format);
            for (int threads : new int[] {1, 2}) {
                assertArrayEquals(expected, run(graph, x, 4, threads), format + " threads " + threads);
            }
            try (Interpreter interpreter = Interpreter.load(graph, RuntimeOptions.defaults())) {
                // 8-bit indices are a byte per weight like dense int8, plus a codebook of at most 256 per layer
                assertTrue(interpreter.weightBytes() <= (format.equals("palette8") ? denseBytes + 2 * 256 : 0.7 * denseBytes),
                        format + " holds " + interpreter.weightBytes() + " bytes, dense " + denseBytes);
            }
        }
    }

    private static long nonZeroWeights(Graph graph) {
        long nonZeros = 0;
        for (Tensor t : graph.tensors()) {
            if (t.isConstant() && t.type() == DataType.INT8) {
                for (byte b : t.bytes()) {
                    nonZeros += b != 0 ? 1 : 0;
                }
            }
        }
        return nonZeros;
    }

    @Test
    void weightBytes_csr_countsValuesShortIndicesAndRowStarts() {
        Int8Mlp mlp = sparseFewLevelMlp(106);
        long nonZeros = nonZeroWeights(mlp.graph());
        try (Interpreter interpreter = Interpreter.load(compressed(mlp.graph(), "csr"), RuntimeOptions.defaults())) {
            assertEquals(3 * nonZeros + 4L * (65 + 11) + 4L * (64 + 10), interpreter.weightBytes());
        }
    }

    @Test
    void load_csrColumnIndexOutOfRange_throwsNamingNode() {
        Graph graph = compressed(sparseFewLevelMlp(107).graph(), "csr");
        List<Tensor> tensors = new ArrayList<>(graph.tensors());
        tensors.replaceAll(t -> {
            if (!t.name().equals("w2/column_indices")) {
                return t;
            }
            byte[] packed = t.bytes();
            packed[packed.length - 2] = 64; // the last entry's column 64 of 64
            packed[packed.length - 1] = 0;
            return Tensor.constant(t.name(), packed, null, t.shape());
        });
        var e = assertThrows(InvalidGraphException.class, () -> Interpreter.load(
                new Graph(tensors, graph.nodes(), graph.inputs(), graph.outputs()), RuntimeOptions.defaults()));
        assertTrue(e.getMessage().startsWith("node fc2 (FULLY_CONNECTED): CSR row 9 column index 64 is outside [0, 64)"), e.getMessage());
    }

    @Test
    void weightBytes_bitmap_countsMaskValuesAndRowStarts() {
        Int8Mlp mlp = sparseFewLevelMlp(109);
        long nonZeros = nonZeroWeights(mlp.graph());
        try (Interpreter interpreter = Interpreter.load(compressed(mlp.graph(), "bitmap"), RuntimeOptions.defaults())) {
            // masks 64 × ⌈300/8⌉ and 10 × ⌈64/8⌉, one byte per non-zero, 65 + 11 row starts, the int32 biases
            assertEquals(64 * 38 + 10 * 8 + nonZeros + 4L * (65 + 11) + 4L * (64 + 10), interpreter.weightBytes());
        }
    }

    @Test
    void load_bitmapMarkingMoreWeightsThanValues_throwsNamingNode() {
        Graph graph = compressed(sparseFewLevelMlp(110).graph(), "bitmap");
        List<Tensor> tensors = new ArrayList<>(graph.tensors());
        tensors.replaceAll(t -> {
            if (!t.name().equals("w2/mask")) {
                return t;
            }
            byte[] mask = t.bytes();
            int free = 0;
            while (mask[free] == -1) {
                free++;
            }
            mask[free] |= (byte) ~mask[free]; // mark more weights than the values hold
            return Tensor.constant(t.name(), mask, t.quantization(), t.shape());
        });
        var e = assertThrows(InvalidGraphException.class, () -> Interpreter.load(
                new Graph(tensors, graph.nodes(), graph.inputs(), graph.outputs()), RuntimeOptions.defaults()));
        assertTrue(e.getMessage().startsWith("node fc2 (FULLY_CONNECTED): bitmap marks "), e.getMessage());
    }

    // ---- MATMUL ----

    @Test
    void run_matMulFp32_constantAndActivationOperands_matchNaive() {
        SplittableRandom random = new SplittableRandom(108);
        float[] b = randomInput(random, 3 * 4);
        Graph constant = new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2, 3}, null), Tensor.constant("b", b, 3, 4),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 2, 4}, null)),
                List.of(new Node("mm", OpType.MATMUL, List.of("x", "b"), List.of("y"))), List.of("x"), List.of("y"));
        float[] x = randomInput(random, 3 * 6);
        float[] y = run(constant, x, 3, 2);
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 4; j++) {
                    double sum = 0;
                    for (int k = 0; k < 3; k++) {
                        sum += (double) x[s * 6 + i * 3 + k] * b[k * 4 + j];
                    }
                    assertEquals(sum, y[s * 8 + i * 4 + j], 1e-6);
                }
            }
        }
        // A = x viewed as [2, 3], B = x viewed as [3, 2]: both operands activations.
        Graph activations = new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 6}, null),
                Tensor.activation("a", DataType.FLOAT32, new int[] {-1, 2, 3}, null),
                Tensor.activation("bt", DataType.FLOAT32, new int[] {-1, 3, 2}, null),
                Tensor.activation("p", DataType.FLOAT32, new int[] {-1, 2, 2}, null),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 4}, null)),
                List.of(new Node("a", OpType.RESHAPE, List.of("x"), List.of("a"), Map.of("shape", "2,-1")),
                        new Node("bt", OpType.RESHAPE, List.of("x"), List.of("bt")),
                        new Node("mm", OpType.MATMUL, List.of("a", "bt"), List.of("p"), Map.of("activation", "RELU")),
                        new Node("f", OpType.FLATTEN, List.of("p"), List.of("y"))), List.of("x"), List.of("y"));
        float[] v = randomInput(random, 2 * 6);
        float[] out = run(activations, v, 2, 1);
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    double sum = 0;
                    for (int k = 0; k < 3; k++) {
                        sum += (double) v[s * 6 + i * 3 + k] * v[s * 6 + k * 2 + j];
                    }
                    assertEquals(Math.max(sum, 0), out[s * 4 + i * 2 + j], 1e-6);
                }
            }
        }
    }

    @Test
    void run_matMulInt8_equalsFullyConnectedWithTransposedWeights() {
        SplittableRandom random = new SplittableRandom(109);
        byte[] b = new byte[6 * 5];
        byte[] wt = new byte[5 * 6];
        for (int k = 0; k < 6; k++) {
            for (int j = 0; j < 5; j++) {
                b[k * 5 + j] = (byte) random.nextInt(-127, 128);
                wt[j * 6 + k] = b[k * 5 + j];
            }
        }
        float[] scales = {0.01f, 0.02f, 0.015f, 0.03f, 0.005f};
        Quantization qx = Quantization.perTensor(0.02f, 3), qy = Quantization.perTensor(0.05f, -4);
        List<Tensor> common = List.of(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 6}, null),
                Tensor.activation("q", DataType.INT8, new int[] {-1, 6}, qx), Tensor.activation("h", DataType.INT8, new int[] {-1, 5}, qy),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 5}, null));
        List<Tensor> mmTensors = new ArrayList<>(common);
        mmTensors.add(Tensor.constant("b", b, Quantization.perChannel(scales, 1), 6, 5));
        List<Tensor> fcTensors = new ArrayList<>(common);
        fcTensors.add(Tensor.constant("w", wt, Quantization.perChannel(scales, 0), 5, 6));
        Node quantize = new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("q"));
        Node dequantize = new Node("dequantize", OpType.DEQUANTIZE, List.of("h"), List.of("y"));
        Graph mm = new Graph(mmTensors, List.of(quantize, new Node("mm", OpType.MATMUL, List.of("q", "b"), List.of("h")), dequantize),
                List.of("x"), List.of("y"));
        Graph fc = new Graph(fcTensors, List.of(quantize, new Node("fc", OpType.FULLY_CONNECTED, List.of("q", "w"), List.of("h")),
                dequantize), List.of("x"), List.of("y"));
        float[] x = randomInput(random, 5 * 6);
        assertArrayEquals(run(fc, x, 5, 1), run(mm, x, 5, 2));
    }

    // ---- dynamic-range fully-connected ----

    @Test
    void run_dynamicFullyConnected_approximatesFp32AndQuantizesEachSampleAlone() {
        SplittableRandom random = new SplittableRandom(110);
        int in = 40, out = 8;
        byte[] w = new byte[out * in];
        float[] dequantized = new float[out * in];
        float[] scales = new float[out];
        for (int c = 0; c < out; c++) {
            scales[c] = (float) random.nextDouble(0.002, 0.01);
            for (int k = 0; k < in; k++) {
                w[c * in + k] = (byte) random.nextInt(-127, 128);
                dequantized[c * in + k] = w[c * in + k] * scales[c];
            }
        }
        float[] bias = randomInput(random, out);
        Graph dynamic = new Graph(List.of(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, in}, null),
                Tensor.constant("w", w, Quantization.perChannel(scales, 0), out, in), Tensor.constant("b", bias, out),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, out}, null)),
                List.of(new Node("fc", OpType.FULLY_CONNECTED_DYNAMIC, List.of("x", "w", "b"), List.of("y"))), List.of("x"), List.of("y"));
        float[] x = randomInput(random, 3 * in);
        for (int k = 0; k < in; k++) {
            x[2 * in + k] *= 100; // a sample with a much wider range
        }
        float[] y = run(dynamic, x, 3, 2);
        for (int s = 0; s < 3; s++) {
            float[] alone = run(dynamic, java.util.Arrays.copyOfRange(x, s * in, (s + 1) * in), 1, 1);
            assertArrayEquals(alone, java.util.Arrays.copyOfRange(y, s * out, (s + 1) * out), "sample " + s);
            double range = 0;
            for (int k = 0; k < in; k++) {
                range = Math.max(range, Math.abs(x[s * in + k]));
            }
            for (int c = 0; c < out; c++) {
                double exact = bias[c];
                for (int k = 0; k < in; k++) {
                    exact += (double) dequantized[c * in + k] * x[s * in + k];
                }
                // each input off by at most half a step of 2·range/255
                assertEquals(exact, y[s * out + c], in * 127 * scales[c] * range / 255 + 1e-5, "sample " + s + " channel " + c);
            }
        }
    }

    // ---- int8 data movement: LEAKY_RELU, CLIP, CONCAT (requantizing), RESHAPE ----

    @Test
    void run_int8LeakyClipConcatReshape_matchesReference() {
        Quantization qx = Quantization.perTensor(0.02f, 0), ql = Quantization.perTensor(0.01f, 10), qc = Quantization.perTensor(0.008f, -5);
        Graph graph = new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2, 3}, null),
                Tensor.activation("q", DataType.INT8, new int[] {-1, 2, 3}, qx),
                Tensor.activation("l", DataType.INT8, new int[] {-1, 2, 3}, ql),
                Tensor.activation("c", DataType.INT8, new int[] {-1, 2, 3}, qc),
                Tensor.activation("cat", DataType.INT8, new int[] {-1, 4, 3}, ql),
                Tensor.activation("flat", DataType.INT8, new int[] {-1, 12}, ql),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 12}, null)),
                List.of(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("q")),
                        new Node("leaky", OpType.LEAKY_RELU, List.of("q"), List.of("l"), Map.of("alpha", "0.1")),
                        new Node("clip", OpType.CLIP, List.of("l"), List.of("c"), Map.of("min", "-0.2", "max", "0.5")),
                        new Node("cat", OpType.CONCAT, List.of("l", "c"), List.of("cat"), Map.of("axis", "-2")),
                        new Node("flat", OpType.RESHAPE, List.of("cat"), List.of("flat"), Map.of("shape", "12")),
                        new Node("dequantize", OpType.DEQUANTIZE, List.of("flat"), List.of("y"))),
                List.of("x"), List.of("y"));
        SplittableRandom random = new SplittableRandom(111);
        float[] x = randomInput(random, 4 * 6);
        float[] y = run(graph, x, 4, 1);
        int clipMin = -5 + Math.round(-0.2f / 0.008f), clipMax = -5 + Math.round(0.5f / 0.008f);
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < 6; i++) {
                double r = x[s * 6 + i] / 0.02f;
                int q = (int) Math.max(-128, Math.min(127, Math.signum(r) * Math.floor(Math.abs(r) + 0.5)));
                int l = Math.max(-128, Math.min(127, 10 + (q >= 0 ? NaiveInt8Ops.requantize(q, 0.02f / (double) 0.01f)
                        : NaiveInt8Ops.requantize(q, 0.1f * (double) 0.02f / 0.01f))));
                int c = Math.max(clipMin, Math.min(clipMax, -5 + NaiveInt8Ops.requantize(l - 10, 0.01f / (double) 0.008f)));
                int back = Math.max(-128, Math.min(127, 10 + NaiveInt8Ops.requantize(c + 5, 0.008f / (double) 0.01f)));
                assertEquals(0.01f * (l - 10), y[s * 12 + i], "leaky " + s + "," + i);
                assertEquals(0.01f * (back - 10), y[s * 12 + 6 + i], "clipped " + s + "," + i);
            }
        }
    }

    // ---- malformed graphs ----

    private static String rejected(Graph graph) {
        return assertThrows(InvalidGraphException.class, () -> Interpreter.load(graph, RuntimeOptions.defaults())).getMessage();
    }

    /** The fp32 CNN with one node changed. */
    private static Graph withNode(Graph graph, String name, Node replacement) {
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.replaceAll(n -> n.name().equals(name) ? replacement : n);
        return new Graph(graph.tensors(), nodes, graph.inputs(), graph.outputs());
    }

    @Test
    void load_convAttributeErrors_throwNamingNodeAndAttribute() {
        Graph cnn = FloatCnn.random(112).graph();
        List<String> c1In = List.of("x", "w1", "b1");
        assertEquals("node c1 (CONV_2D): unknown attribute stride (CONV_2D takes [activation, activation_max, activation_min, "
                        + "dilations, group, kernel_shape, pads, strides, weight_format])",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1"), Map.of("stride", "1,1")))));
        assertEquals("node c1 (CONV_2D): attribute pads '1,1' is not 4 comma-separated integers",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1"), Map.of("pads", "1,1")))));
        assertEquals("node c1 (CONV_2D): pads 3,1,1,1 must be non-negative and smaller than the 3x3 window",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1"), Map.of("pads", "3,1,1,1")))));
        assertEquals("node c1 (CONV_2D): output c1 shape [-1, 4, 6, 6] should be [-1, 4, 4, 4]",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1")))));
        assertEquals("node c1 (CONV_2D): group 2 must divide the 3 input and 4 output channels",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1"), Map.of("pads", "1,1,1,1", "group", "2")))));
        assertEquals("node c1 (CONV_2D): unknown weight_format 'zip' (supported: dense, csr, bitmap, palette4, palette8)",
                rejected(withNode(cnn, "c1", new Node("c1", OpType.CONV_2D, c1In, List.of("c1"), Map.of("weight_format", "zip")))));
    }

    @Test
    void load_otherOperatorErrors_throwNamingNode() {
        Graph cnn = FloatCnn.random(113).graph();
        assertEquals("node ap (AVERAGE_POOL): needs attribute kernel_shape (2 comma-separated integers)",
                rejected(withNode(cnn, "ap", new Node("ap", OpType.AVERAGE_POOL, List.of("bn2"), List.of("ap")))));
        assertTrue(rejected(withNode(cnn, "add", new Node("add", OpType.ADD, List.of("h", "b1"), List.of("s"))))
                .startsWith("node add (ADD): operand b1 [4] does not broadcast to h [-1, 3]"));
        assertEquals("node leaky (LEAKY_RELU): alpha must be finite and non-negative, is -0.5",
                rejected(withNode(cnn, "leaky", new Node("leaky", OpType.LEAKY_RELU, List.of("s"), List.of("l"), Map.of("alpha", "-0.5")))));
        assertEquals("node clip (CLIP): clip range [1.0, -1.0] is empty",
                rejected(withNode(cnn, "clip", new Node("clip", OpType.CLIP, List.of("l"), List.of("c"), Map.of("min", "1", "max", "-1")))));
        assertEquals("node f (RESHAPE): attribute shape 2,-1 resolves to [2, 2], not the output's [4] after the batch dimension",
                rejected(withNode(cnn, "f", new Node("f", OpType.RESHAPE, List.of("g"), List.of("f"), Map.of("shape", "2,-1")))));
        assertEquals("node bn2 (BATCH_NORMALIZATION): BATCH_NORMALIZATION takes 5 inputs and 1 output, has [d1, bn2.scale] and [bn2]",
                rejected(withNode(cnn, "bn2", new Node("bn2", OpType.BATCH_NORMALIZATION, List.of("d1", "bn2.scale"), List.of("bn2")))));
        assertEquals("node f (CONCAT): axis 0 is the batch axis or outside rank 2",
                rejected(withNode(cnn, "f", new Node("f", OpType.CONCAT, List.of("g"), List.of("f"), Map.of("axis", "0")))));
        assertEquals("node relu (RELU): unknown attribute alpha (RELU takes none)", rejected(withNode(cnn, "r1",
                new Node("relu", OpType.RELU, List.of("bn1"), List.of("r1"), Map.of("alpha", "1")))));
    }

    @Test
    void load_int8PoolChangingQuantization_throws() {
        Graph graph = Int8Cnn.random(114).graph();
        List<Tensor> tensors = new ArrayList<>(graph.tensors());
        tensors.replaceAll(t -> t.name().equals("p1")
                ? Tensor.activation("p1", DataType.INT8, new int[] {-1, 8, 4, 4}, Quantization.perTensor(0.5f, 0)) : t);
        assertTrue(rejected(new Graph(tensors, graph.nodes(), graph.inputs(), graph.outputs()))
                .startsWith("node p1 (MAX_POOL): int8 pooling needs equal input and output quantization"));
    }
}
