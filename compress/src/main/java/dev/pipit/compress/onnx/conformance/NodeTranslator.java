package dev.pipit.compress.onnx.conformance;

import dev.pipit.compress.onnx.proto.AttributeProto;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.onnx.proto.TensorProto;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Translates a single-node ONNX test model and one data set into a runtime {@link Graph} with one fp32
 * input and output. The first ONNX input is the activation; every other input (weights, scales, zero
 * points, shapes) becomes a constant with its test values.
 *
 * <p>Layout: image operators (Conv, pools, BatchNormalization) use the ONNX batch axis as the runtime's;
 * all others get a leading runtime batch axis of 1, so ONNX axis {@code a} is runtime axis {@code a + 1}.
 * Int8 activations enter through a QUANTIZE (the fp32 input holds {@code (q − zp) · scale}, which
 * quantizes back to {@code q} exactly) and leave through a DEQUANTIZE. uint8 tensors become int8 by
 * subtracting 128 from values and zero points, which leaves every real value unchanged.
 */
public final class NodeTranslator {

    private static final String X = "x";
    private static final String Y = "y";

    private final NodeProto node;
    private final int opset;
    private final List<TestTensor> in = new ArrayList<>();
    private final TestTensor expected;
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private boolean prepend = true;
    private float[] input;
    private int batch;
    private Translation.OutputCodec codec = Translation.OutputCodec.FLOAT;
    private Quantization outputQuantization;

    private NodeTranslator(ModelProto model, List<TestTensor> inputs, TestTensor expected) {
        if (model.getGraph().getNodeCount() != 1) {
            throw new UnsupportedCaseException("model has " + model.getGraph().getNodeCount() + " nodes, not one");
        }
        this.node = model.getGraph().getNode(0);
        this.opset = model.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(1);
        Map<String, TestTensor> byName = new HashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            byName.put(t.getName(), TestTensor.decode(t));
        }
        List<String> graphInputs = model.getGraph().getInputList().stream()
                .map(v -> v.getName()).filter(n -> !byName.containsKey(n)).toList();
        if (graphInputs.size() != inputs.size()) {
            throw new IllegalArgumentException("model has " + graphInputs.size() + " inputs, data set " + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            byName.put(graphInputs.get(i), inputs.get(i));
        }
        for (String name : node.getInputList()) {
            in.add(name.isEmpty() ? null : byName.get(name));
        }
        this.expected = expected;
    }

    /**
     * One translation, or for a matrix product with batched operands ({@code [..., M, K] × [..., K, N]},
     * equal batch dimensions) one per matrix pair, whose outputs concatenate to the ONNX output.
     *
     * @throws UnsupportedCaseException when the case needs what the runtime does not implement
     */
    public static List<Translation> translate(ModelProto model, List<TestTensor> inputs, List<TestTensor> outputs) {
        if (outputs.size() != 1) {
            throw new UnsupportedCaseException(outputs.size() + " outputs: the runtime graph has one output");
        }
        int b = switch (model.getGraph().getNodeCount() == 1 ? model.getGraph().getNode(0).getOpType() : "") {
            case "MatMul", "MatMulInteger" -> 1;
            case "QLinearMatMul" -> 3;
            default -> -1;
        };
        if (b < 0 || inputs.get(b).dims().length <= 2) {
            return List.of(new NodeTranslator(model, inputs, outputs.get(0)).translate());
        }
        TestTensor a = inputs.get(0);
        TestTensor bm = inputs.get(b);
        TestTensor y = outputs.get(0);
        int[] ad = a.dims();
        int[] bd = bm.dims();
        int[] yd = y.dims();
        if (!Arrays.equals(Arrays.copyOf(ad, ad.length - 2), Arrays.copyOf(bd, bd.length - 2))) {
            throw new UnsupportedCaseException("broadcast batch dimensions " + Arrays.toString(ad) + " × " + Arrays.toString(bd));
        }
        int slices = a.size() / (ad[ad.length - 2] * ad[ad.length - 1]);
        List<Translation> out = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            List<TestTensor> sliced = new ArrayList<>(inputs);
            sliced.set(0, matrix(a, i, slices));
            sliced.set(b, matrix(bm, i, slices));
            out.add(new NodeTranslator(model, sliced, matrix(y, i, slices)).translate());
        }
        return out;
    }

    /** Matrix {@code i} of {@code count} stacked in {@code t}'s leading dimensions. */
    private static TestTensor matrix(TestTensor t, int i, int count) {
        int[] d = t.dims();
        int size = t.size() / count;
        return new TestTensor(t.dataType(), new int[] {d[d.length - 2], d[d.length - 1]},
                Arrays.copyOfRange(t.values(), i * size, (i + 1) * size));
    }

    private Translation translate() {
        if (node.getOutputCount() != 1) {
            throw new UnsupportedCaseException(node.getOpType() + " with " + node.getOutputCount() + " outputs");
        }
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw new UnsupportedCaseException("operator domain " + node.getDomain());
        }
        switch (node.getOpType()) {
            case "Relu" -> plain(OpType.RELU, Map.of());
            case "LeakyRelu" -> plain(OpType.LEAKY_RELU, Map.of("alpha", Float.toString(real("alpha", 0.01f))));
            case "Clip" -> clip();
            case "Softmax" -> softmax();
            case "Flatten" -> flatten();
            case "Reshape" -> reshape();
            case "Add" -> add();
            case "Concat" -> concat();
            case "MatMul" -> matMul();
            case "Gemm" -> gemm();
            case "Conv" -> conv();
            case "MaxPool" -> pool(OpType.MAX_POOL);
            case "AveragePool" -> pool(OpType.AVERAGE_POOL);
            case "GlobalAveragePool" -> {
                requireImage();
                plain(OpType.GLOBAL_AVERAGE_POOL, Map.of());
            }
            case "BatchNormalization" -> batchNorm();
            case "QuantizeLinear" -> quantizeLinear();
            case "DequantizeLinear" -> dequantizeLinear();
            case "QLinearMatMul" -> qLinearMatMul();
            case "QLinearConv" -> qLinearConv();
            case "MatMulInteger" -> matMulInteger();
            case "ConvInteger" -> convInteger();
            default -> throw new UnsupportedCaseException("operator " + node.getOpType() + " has no runtime kernel");
        }
        return new Translation(new Graph(tensors, nodes, List.of(X), List.of(Y)), input, batch, codec);
    }

    // ---- operators

    /** One runtime op on the activation: fp32, or int8 with the identity quantization (scale 1, zero point 0). */
    private void plain(OpType op, Map<String, String> attributes) {
        String x = in(0).isFloat() ? floatInput(in(0)) : identityInt8Input(in(0));
        emit(op, List.of(x), attributes);
    }

    private void clip() {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (opset < 11) {
            if (hasAttribute("min")) attributes.put("min", Float.toString(real("min", 0)));
            if (hasAttribute("max")) attributes.put("max", Float.toString(real("max", 0)));
        } else {
            if (optional(1) != null) attributes.put("min", Float.toString((float) scalar(1)));
            if (optional(2) != null) attributes.put("max", Float.toString((float) scalar(2)));
        }
        plain(OpType.CLIP, attributes);
    }

    private void softmax() {
        int rank = in(0).dims().length;
        int axis = axis(integer("axis", opset >= 13 ? -1 : 1), rank);
        if (axis != rank - 1) {
            throw new UnsupportedCaseException("softmax over axis " + axis + " of rank " + rank
                    + ": the runtime's softmax runs over the last axis");
        }
        plain(OpType.SOFTMAX, Map.of());
    }

    private void flatten() {
        int[] d = in(0).dims();
        int axis = axis(integer("axis", 1), d.length);
        int outer = IntStream.range(0, axis).map(i -> d[i]).reduce(1, Math::multiplyExact);
        int inner = IntStream.range(axis, d.length).map(i -> d[i]).reduce(1, Math::multiplyExact);
        plain(OpType.RESHAPE, Map.of("shape", outer + "," + inner));
    }

    private void reshape() {
        int[] d = in(0).dims();
        double[] requested = in(1).values();
        int[] shape = new int[requested.length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = requested[i] == 0 && integer("allowzero", 0) == 0 ? d[i] : (int) requested[i];
            if (shape[i] == 0 || Arrays.stream(d).anyMatch(v -> v == 0)) {
                throw new UnsupportedCaseException("empty tensors (a zero dimension): runtime dimensions are positive");
            }
        }
        plain(OpType.RESHAPE, Map.of("shape", join(shape)));
    }

    private void add() {
        TestTensor a = in(0);
        TestTensor b = in(1);
        if (!a.isFloat()) {
            throw new UnsupportedCaseException("integer Add (wrapping " + TensorProto.DataType.forNumber(a.dataType())
                    + " arithmetic): the runtime's int8 ADD is the quantized add");
        }
        if (!Arrays.equals(a.dims(), expected.dims())) {
            throw new UnsupportedCaseException("the second operand broadcasts the first: the runtime broadcasts the second only");
        }
        String x = floatInput(a);
        emit(OpType.ADD, List.of(x, floatConstant("b", b.values(), nonScalar(b.dims()))), Map.of());
    }

    /**
     * The runtime graph has one input, so the other operands (equal in shape to the first here) become
     * activations by adding their constant values onto a zeroed copy of the first (CLIP to [0, 0]).
     */
    private void concat() {
        TestTensor first = in(0);
        if (!first.isFloat()) {
            throw new UnsupportedCaseException("integer Concat");
        }
        String x = floatInput(first);
        List<String> inputs = new ArrayList<>(List.of(x));
        int[] shape = runtimeShape(first.dims());
        if (node.getInputCount() > 1) {
            tensors.add(Tensor.activation("zero", DataType.FLOAT32, shape, null));
            nodes.add(new Node("zero", OpType.CLIP, List.of(x), List.of("zero"), Map.of("min", "0", "max", "0")));
        }
        for (int i = 1; i < node.getInputCount(); i++) {
            TestTensor t = in(i);
            if (!Arrays.equals(t.dims(), first.dims())) {
                throw new UnsupportedCaseException("concatenated operands of different shapes (one graph input)");
            }
            String name = "operand" + i;
            tensors.add(Tensor.activation(name, DataType.FLOAT32, shape, null));
            nodes.add(new Node(name, OpType.ADD, List.of("zero", floatConstant("c" + i, t.values(), t.dims())), List.of(name)));
            inputs.add(name);
        }
        int axis = integer("axis", 0);
        emit(OpType.CONCAT, inputs, Map.of("axis", Integer.toString(axis < 0 ? axis : axis + 1)));
    }

    private void matMul() {
        TestTensor a = in(0);
        TestTensor b = in(1);
        requireMatrixB(a, b);
        String x = floatInput(a);
        emit(OpType.MATMUL, List.of(x, floatConstant("B", b.values(), b.dims())), Map.of());
    }

    private void gemm() {
        TestTensor a = in(0);
        TestTensor b = in(1);
        TestTensor c = optional(2);
        float alpha = real("alpha", 1f);
        float beta = real("beta", 1f);
        int[] ad = a.dims();
        double[] av = integer("transA", 0) == 1 ? transpose(a.values(), ad[0], ad[1]) : a.values();
        int m = integer("transA", 0) == 1 ? ad[1] : ad[0];
        int k = av.length / m;
        int[] bd = b.dims();
        double[] bv = integer("transB", 0) == 1 ? transpose(b.values(), bd[0], bd[1]) : b.values();
        int n = bv.length / k;
        for (int i = 0; i < bv.length; i++) {
            bv[i] *= alpha;
        }
        String x = floatInput(new TestTensor(a.dataType(), new int[] {m, k}, av));
        String bName = floatConstant("B", bv, new int[] {k, n});
        if (c == null || beta == 0f) {
            emit(OpType.MATMUL, List.of(x, bName), Map.of());
            return;
        }
        double[] cv = c.values();
        for (int i = 0; i < cv.length; i++) {
            cv[i] *= beta;
        }
        tensors.add(Tensor.activation("ab", DataType.FLOAT32, runtimeShape(new int[] {m, n}), null));
        nodes.add(new Node("matmul", OpType.MATMUL, List.of(x, bName), List.of("ab")));
        emit(OpType.ADD, List.of("ab", floatConstant("C", cv, nonScalar(c.dims()))), Map.of());
    }

    private void conv() {
        requireImage();
        TestTensor w = in(1);
        String x = floatInput(in(0));
        List<String> inputs = new ArrayList<>(List.of(x, floatConstant("W", w.values(), w.dims())));
        if (optional(2) != null) {
            inputs.add(floatConstant("B", in(2).values(), in(2).dims()));
        }
        emit(OpType.CONV_2D, inputs, convAttributes(w.dims()));
    }

    private void pool(OpType op) {
        requireImage();
        if (integer("ceil_mode", 0) != 0) {
            throw new UnsupportedCaseException("ceil_mode = 1: the runtime's output size rounds down");
        }
        int[] kernel = ints("kernel_shape", null);
        if (kernel.length != 2) {
            throw new UnsupportedCaseException(kernel.length + "-D pooling: the runtime pools 2-D");
        }
        int[] dilations = ints("dilations", new int[] {1, 1});
        if (dilations[0] != 1 || dilations[1] != 1) {
            throw new UnsupportedCaseException("pooling dilations " + join(dilations) + ": the runtime pools dense windows");
        }
        int[] strides = ints("strides", new int[] {1, 1});
        int[] pads = pads(kernel, strides, dilations);
        if (op == OpType.AVERAGE_POOL && integer("count_include_pad", 0) == 1 && Arrays.stream(pads).anyMatch(p -> p != 0)) {
            throw new UnsupportedCaseException("count_include_pad = 1 with padding: the runtime averages the elements inside the input");
        }
        plain(op, Map.of("kernel_shape", join(kernel), "strides", join(strides), "pads", join(pads)));
    }

    private void batchNorm() {
        if (integer("training_mode", 0) != 0) {
            throw new UnsupportedCaseException("training-mode BatchNormalization: the runtime runs inference");
        }
        prepend = false;
        String x = floatInput(in(0));
        String[] roles = {"scale", "bias", "mean", "var"};
        List<String> inputs = new ArrayList<>(List.of(x));
        for (int i = 0; i < roles.length; i++) {
            inputs.add(floatConstant(roles[i], in(i + 1).values(), in(i + 1).dims()));
        }
        emit(OpType.BATCH_NORMALIZATION, inputs, Map.of("epsilon", Float.toString(real("epsilon", 1e-5f))));
    }

    private void quantizeLinear() {
        TestTensor zp = optional(2);
        if (in(1).size() != 1) {
            throw new UnsupportedCaseException("per-axis QuantizeLinear: the runtime's QUANTIZE is per tensor");
        }
        boolean uint8 = zp == null || zp.isUint8();
        requireInt8(zp);
        String x = floatInput(in(0));
        quantizedOutput((float) scalar(1), zp == null ? 0 : (int) zp.values()[0], uint8);
        emit(OpType.QUANTIZE, List.of(x), Map.of());
    }

    private void dequantizeLinear() {
        if (in(1).size() != 1) {
            throw new UnsupportedCaseException("per-axis DequantizeLinear: the runtime's DEQUANTIZE is per tensor");
        }
        requireInt8(in(0));
        TestTensor zp = optional(2);
        String x = int8Input(in(0), (float) scalar(1), zp == null ? 0 : (int) zp.values()[0]);
        emit(OpType.DEQUANTIZE, List.of(x), Map.of());
    }

    private void qLinearMatMul() {
        TestTensor a = in(0);
        TestTensor b = in(3);
        requireMatrixB(a, b);
        requireInt8(a);
        int[] bd = b.dims();
        float[] scales = floats(in(4));
        double[] zps = in(5).values();
        TestTensor shiftedB = shifted(b, zps, bd[1], false);
        if (!fitsInt8Weights(shiftedB)) {
            String x = floatInput(shifted(a, new double[] {scalar(2)}, 1, false));
            requantizedFloat(OpType.MATMUL, List.of(x, floatConstant("B", shiftedB.values(), bd)), Map.of(), (float) scalar(1), scalar(4));
            return;
        }
        String x = int8Input(a, (float) scalar(1), (int) scalar(2));
        byte[] w = new byte[b.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) shiftedB.values()[i];
        }
        Quantization q = scales.length == 1 ? Quantization.perTensor(scales[0], 0) : Quantization.perChannel(scales, 1);
        tensors.add(Tensor.constant("B", w, q, bd));
        quantizedOutput((float) scalar(6), (int) scalar(7), in(7).isUint8());
        emit(OpType.MATMUL, List.of(x, "B"), Map.of());
    }

    private void qLinearConv() {
        requireImage();
        requireInt8(in(0));
        float xScale = (float) scalar(1);
        TestTensor w = in(3);
        int[] wd = w.dims();
        int out = wd[0];
        float[] scales = expand(floats(in(4)), out);
        double[] zps = in(5).values();
        TestTensor shiftedW = shifted(w, zps, out, true);
        if (!fitsInt8Weights(shiftedW)) {
            String x = floatInput(shifted(in(0), new double[] {scalar(2)}, 1, false));
            List<String> inputs = new ArrayList<>(List.of(x, floatConstant("W", shiftedW.values(), wd)));
            if (optional(8) != null) {
                inputs.add(floatConstant("B", in(8).values(), in(8).dims()));
            }
            requantizedFloat(OpType.CONV_2D, inputs, convAttributes(wd), xScale, scalar(4));
            return;
        }
        String x = int8Input(in(0), xScale, (int) scalar(2));
        byte[] weights = new byte[w.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) shiftedW.values()[i];
        }
        tensors.add(Tensor.constant("W", weights, Quantization.perChannel(scales, 0), wd));
        float[] biasScales = new float[out];
        for (int c = 0; c < out; c++) {
            biasScales[c] = xScale * scales[c];
        }
        int[] bias = optional(8) == null ? new int[out] : Arrays.stream(in(8).values()).mapToInt(v -> (int) v).toArray();
        tensors.add(Tensor.constant("bias", bias, Quantization.perChannel(biasScales, 0), out));
        quantizedOutput((float) scalar(6), (int) scalar(7), in(7).isUint8());
        emit(OpType.CONV_2D, List.of(x, "W", "bias"), convAttributes(wd));
    }

    /**
     * Asymmetric weights beyond the runtime's symmetric int8 range (uint8 weights with a zero point):
     * the int32 accumulator is computed exactly on the fp32 kernel (integer operands, sums below 2^24)
     * and requantized by a QUANTIZE with scale {@code outputScale / (inputScale · weightScale)}, which is
     * ONNX's {@code round(acc · inputScale · weightScale / outputScale) + zp}.
     */
    private void requantizedFloat(OpType op, List<String> inputs, Map<String, String> attributes, float inputScale, double weightScale) {
        float yScale = (float) scalar(6);
        int yZp = (int) scalar(7);
        boolean uint8 = in(7).isUint8();
        int shift = uint8 ? 128 : 0;
        float accScale = (float) (yScale / ((double) inputScale * weightScale));
        outputQuantization = Quantization.perTensor(accScale, yZp - shift);
        codec = new Translation.OutputCodec(accScale, yZp - shift, uint8, true);
        tensors.add(Tensor.activation("acc", DataType.FLOAT32, runtimeShape(expected.dims()), null));
        nodes.add(new Node(node.getOpType() + "_accumulate", op, inputs, List.of("acc"), attributes));
        emit(OpType.QUANTIZE, List.of("acc"), Map.of());
    }

    /** Whether weights (zero point already subtracted) are symmetric int8, as the runtime's int8 kernels take them. */
    private static boolean fitsInt8Weights(TestTensor shifted) {
        return Arrays.stream(shifted.values()).allMatch(v -> v >= -127 && v <= 127);
    }

    /** Int32 results on the fp32 kernels: operands and sums here are integers below 2^24, so exact. */
    private void matMulInteger() {
        TestTensor a = in(0);
        TestTensor b = in(1);
        requireMatrixB(a, b);
        String x = floatInput(shifted(a, zeroPoints(optional(2)), a.dims()[a.dims().length - 2], true));
        TestTensor bShifted = shifted(b, zeroPoints(optional(3)), b.dims()[1], false);
        codec = Translation.OutputCodec.INTEGER;
        emit(OpType.MATMUL, List.of(x, floatConstant("B", bShifted.values(), b.dims())), Map.of());
    }

    private void convInteger() {
        requireImage();
        TestTensor x = in(0);
        double[] xzp = zeroPoints(optional(2));
        if (xzp.length != 1) {
            throw new UnsupportedCaseException("per-channel input zero points");
        }
        String name = floatInput(shifted(x, xzp, 1, false));
        TestTensor w = in(1);
        int out = w.dims()[0];
        TestTensor ws = shifted(w, zeroPoints(optional(3)), out, true);
        codec = Translation.OutputCodec.INTEGER;
        emit(OpType.CONV_2D, List.of(name, floatConstant("W", ws.values(), w.dims())), convAttributes(w.dims()));
    }

    // ---- graph building

    private String floatInput(TestTensor x) {
        input = toFloats(x.values());
        declareInput(x.dims());
        return X;
    }

    /** An int8 activation with the given real quantization (uint8 values and zero point shifted by 128). */
    private String int8Input(TestTensor x, float scale, int zeroPoint) {
        double[] v = x.values();
        input = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            input[i] = (float) (v[i] - zeroPoint) * scale;
        }
        int shift = x.isUint8() ? 128 : 0;
        declareInput(x.dims());
        Quantization q = Quantization.perTensor(scale, zeroPoint - shift);
        tensors.add(Tensor.activation("xq", DataType.INT8, runtimeShape(x.dims()), q));
        nodes.add(new Node("quantize_input", OpType.QUANTIZE, List.of(X), List.of("xq")));
        if (outputQuantization == null) {
            outputQuantization = q;
            codec = new Translation.OutputCodec(scale, zeroPoint - shift, x.isUint8(), true);
        }
        return "xq";
    }

    /** Integer tensors run as int8 with real value = the int8 value. */
    private String identityInt8Input(TestTensor x) {
        requireInt8(x);
        return int8Input(x, 1f, x.isUint8() ? 128 : 0);
    }

    private void declareInput(int[] dims) {
        batch = prepend ? 1 : dims[0];
        tensors.add(Tensor.activation(X, DataType.FLOAT32, runtimeShape(dims), null));
    }

    private void quantizedOutput(float scale, int zeroPoint, boolean uint8) {
        int shift = uint8 ? 128 : 0;
        outputQuantization = Quantization.perTensor(scale, zeroPoint - shift);
        codec = new Translation.OutputCodec(scale, zeroPoint - shift, uint8, true);
    }

    /** The node itself, writing {@code y} (or an int8 tensor dequantized into {@code y}). */
    private void emit(OpType op, List<String> inputs, Map<String, String> attributes) {
        int[] shape = runtimeShape(expected.dims());
        boolean int8Output = op != OpType.DEQUANTIZE && (op == OpType.QUANTIZE || !tensor(inputs.get(0)).type().equals(DataType.FLOAT32));
        if (!int8Output) {
            if (codec.scale() > 0f) {
                codec = Translation.OutputCodec.FLOAT;
            }
            tensors.add(Tensor.activation(Y, DataType.FLOAT32, shape, null));
            nodes.add(new Node(node.getOpType(), op, inputs, List.of(Y), attributes));
            return;
        }
        tensors.add(Tensor.activation("yq", DataType.INT8, shape, outputQuantization));
        nodes.add(new Node(node.getOpType(), op, inputs, List.of("yq"), attributes));
        tensors.add(Tensor.activation(Y, DataType.FLOAT32, shape, null));
        nodes.add(new Node("dequantize_output", OpType.DEQUANTIZE, List.of("yq"), List.of(Y)));
    }

    private Tensor tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private String floatConstant(String name, double[] values, int[] dims) {
        tensors.add(Tensor.constant(name, toFloats(values), dims));
        return name;
    }

    private int[] runtimeShape(int[] dims) {
        if (dims.length == 0) {
            throw new UnsupportedCaseException("scalar activation: runtime activations have a batch axis");
        }
        int[] shape = prepend ? new int[dims.length + 1] : dims.clone();
        if (prepend) {
            System.arraycopy(dims, 0, shape, 1, dims.length);
        }
        shape[0] = -1;
        return shape;
    }

    // ---- checks and attribute helpers

    private void requireImage() {
        if (in(0).dims().length != 4) {
            throw new UnsupportedCaseException(in(0).dims().length - 2 + "-D input: the runtime's convolutions and pools are 2-D (NCHW)");
        }
        prepend = false;
    }

    /** B a constant matrix; A a matrix (runtime [1, M, K]) or [n, M, K] (runtime batch n). */
    private void requireMatrixB(TestTensor a, TestTensor b) {
        if (b.dims().length != 2) {
            throw new UnsupportedCaseException("batched B " + Arrays.toString(b.dims())
                    + ": the runtime's MatMul takes a constant matrix B with one graph input");
        }
        if (a.dims().length == 3) {
            prepend = false;
        } else if (a.dims().length != 2) {
            throw new UnsupportedCaseException("A of rank " + a.dims().length + ": the runtime's MatMul takes [n, K] or [n, M, K]");
        }
    }

    private static void requireInt8(TestTensor t) {
        if (t != null && !t.isUint8() && t.dataType() != TensorProto.DataType.INT8_VALUE) {
            throw new UnsupportedCaseException(TensorProto.DataType.forNumber(t.dataType()) + " tensors: the runtime's integer type is int8");
        }
    }

    private Map<String, String> convAttributes(int[] wd) {
        if (wd.length != 4) {
            throw new UnsupportedCaseException((wd.length - 2) + "-D convolution: the runtime's is 2-D");
        }
        int[] kernel = {wd[2], wd[3]};
        int[] strides = ints("strides", new int[] {1, 1});
        int[] dilations = ints("dilations", new int[] {1, 1});
        Map<String, String> a = new LinkedHashMap<>();
        a.put("strides", join(strides));
        a.put("dilations", join(dilations));
        a.put("pads", join(pads(kernel, strides, dilations)));
        a.put("group", Integer.toString(integer("group", 1)));
        return a;
    }

    /** ONNX pads [top, left, bottom, right] (the runtime's order), or those auto_pad implies. */
    private int[] pads(int[] kernel, int[] strides, int[] dilations) {
        String auto = node.getAttributeList().stream().filter(a -> a.getName().equals("auto_pad"))
                .map(a -> a.getS().toStringUtf8()).findFirst().orElse("NOTSET");
        int[] d = in(0).dims();
        return switch (auto) {
            case "NOTSET" -> ints("pads", new int[4]);
            case "VALID" -> new int[4];
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] pads = new int[4];
                for (int i = 0; i < 2; i++) {
                    int size = d[2 + i];
                    int out = (size + strides[i] - 1) / strides[i];
                    int total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
                    int begin = auto.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    pads[i] = begin;
                    pads[i + 2] = total - begin;
                }
                yield pads;
            }
            default -> throw new IllegalArgumentException("unknown auto_pad " + auto);
        };
    }

    private TestTensor in(int index) {
        TestTensor t = optional(index);
        if (t == null) {
            throw new IllegalArgumentException(node.getOpType() + " input " + index + " is missing");
        }
        return t;
    }

    private TestTensor optional(int index) {
        return index < in.size() ? in.get(index) : null;
    }

    private double scalar(int index) {
        TestTensor t = in(index);
        if (t.size() != 1) {
            throw new UnsupportedCaseException("input " + index + " has " + t.size() + " elements, expected one");
        }
        return t.values()[0];
    }

    private boolean hasAttribute(String name) {
        return node.getAttributeList().stream().anyMatch(a -> a.getName().equals(name));
    }

    private AttributeProto attribute(String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElse(null);
    }

    private int integer(String name, int fallback) {
        AttributeProto a = attribute(name);
        return a == null ? fallback : Math.toIntExact(a.getI());
    }

    private float real(String name, float fallback) {
        AttributeProto a = attribute(name);
        return a == null ? fallback : a.getF();
    }

    private int[] ints(String name, int[] fallback) {
        AttributeProto a = attribute(name);
        if (a == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(node.getOpType() + " needs attribute " + name);
            }
            return fallback;
        }
        return a.getIntsList().stream().mapToInt(Math::toIntExact).toArray();
    }

    private static int axis(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static double[] zeroPoints(TestTensor zp) {
        return zp == null ? new double[] {0} : zp.values();
    }

    /** Values minus zero points, per tensor or along rows ({@code byRow}, {@code groups} rows) / columns. */
    private static TestTensor shifted(TestTensor t, double[] zps, int groups, boolean byRow) {
        double[] v = t.values();
        int[] d = t.dims();
        int last = d[d.length - 1];
        int perRow = v.length / Math.max(1, d[0]);
        for (int i = 0; i < v.length; i++) {
            int g = zps.length == 1 ? 0 : byRow ? (i / perRow) % groups : i % last;
            v[i] -= zps[g];
        }
        return new TestTensor(TensorProto.DataType.FLOAT_VALUE, d, v);
    }

    private static float[] floats(TestTensor t) {
        return toFloats(t.values());
    }

    /** Per-tensor scales repeated for each of {@code n} channels. */
    private static float[] expand(float[] values, int n) {
        if (values.length == n) {
            return values;
        }
        float[] out = new float[n];
        Arrays.fill(out, values[0]);
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[] transpose(double[] v, int rows, int cols) {
        double[] out = new double[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }

    private static int[] nonScalar(int[] dims) {
        return dims.length == 0 ? new int[] {1} : dims;
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
