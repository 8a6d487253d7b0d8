package dev.pipit.compress.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.compress.onnx.proto.AttributeProto;
import dev.pipit.compress.onnx.proto.GraphProto;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.onnx.proto.OperatorSetIdProto;
import dev.pipit.compress.onnx.proto.TensorProto;
import dev.pipit.compress.onnx.proto.TensorShapeProto;
import dev.pipit.compress.onnx.proto.ValueInfoProto;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads fp32 ONNX models as PyTorch exports them into the runtime's graph.
 *
 * <p>Supported: Conv (NOTSET auto-pad, any strides, pads, dilations, groups), BatchNormalization (folded
 * into the convolution or Gemm before it, else kept), MaxPool and AveragePool (floor mode),
 * GlobalAveragePool, Gemm (transA 0, any transB, alpha, beta), MatMul with a constant right side, Add of
 * a constant bias after a Gemm, MatMul or Conv (folded), other Adds, Relu (fused into the preceding
 * layer when it is the only consumer), Concat, Flatten, Softmax over the last axis, Dropout and Identity
 * (inference no-ops), Constant, and the
 * Shape/Gather/Unsqueeze/Concat/Reshape subgraph PyTorch emits for {@code x.view(x.size(0), -1)}: shape
 * arithmetic is folded at import with the batch dimension kept symbolic, and a Reshape to
 * {@code [batch, rest]} becomes a FLATTEN. Anything else fails with the node's name and operator.
 */
public final class OnnxImporter {

    /** Stands for the symbolic batch dimension inside folded shape arithmetic. */
    private static final long BATCH = Long.MIN_VALUE;
    /** An ONNX model nests graphs, nodes, attributes, tensors: far below this unless hostile. */
    private static final int RECURSION_LIMIT = 32;
    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");

    /** A constant known at import: floats (weights) or integers (shapes, indices). */
    private record Constant(long[] dims, float[] floats, long[] ints) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final Map<String, Constant> constants = new HashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final Map<String, Integer> consumers = new HashMap<>();

    private OnnxImporter() {
    }

    public static Graph read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setRecursionLimit(RECURSION_LIMIT);
            coded.setSizeLimit(Integer.MAX_VALUE);
            ModelProto model;
            try {
                model = ModelProto.parseFrom(coded);
            } catch (InvalidProtocolBufferException e) {
                throw new OnnxImportException(file + " is not an ONNX model: " + e.getMessage());
            }
            try {
                return importModel(model);
            } catch (OnnxImportException e) {
                throw new OnnxImportException(file + ": " + e.getMessage());
            }
        }
    }

    public static Graph importModel(ModelProto model) throws OnnxImportException {
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            if (DEFAULT_DOMAINS.contains(opset.getDomain()) && opset.getVersion() < 7) {
                throw new OnnxImportException("opset " + opset.getVersion() + " is older than the supported 7");
            }
        }
        if (!model.hasGraph()) {
            throw new OnnxImportException("model has no graph");
        }
        return new OnnxImporter().convert(model.getGraph());
    }

    private Graph convert(GraphProto g) throws OnnxImportException {
        for (TensorProto t : g.getInitializerList()) {
            constants.put(t.getName(), constant(t, "initializer " + t.getName()));
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!constants.containsKey(v.getName())) { // old exports list initializers as inputs too
                declare(Tensor.activation(v.getName(), DataType.FLOAT32, inputShape(v), null));
                inputs.add(v.getName());
            }
        }
        if (inputs.size() != 1) {
            throw new OnnxImportException("model has " + inputs.size() + " non-constant inputs; exactly one is supported");
        }
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.merge(in, 1, Integer::sum);
            }
        }
        for (ValueInfoProto v : g.getOutputList()) {
            consumers.merge(v.getName(), 1, Integer::sum);
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
            if (!DEFAULT_DOMAINS.contains(n.getDomain())) {
                throw new OnnxImportException("node " + name + ": operator " + n.getDomain() + "." + n.getOpType()
                        + " is not in the standard ONNX domain");
            }
            try {
                node(name, n);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new OnnxImportException("node " + name + " (" + n.getOpType() + "): " + e.getMessage());
            }
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            String resolved = resolve(v.getName());
            if (!producer.containsKey(resolved)) {
                throw new OnnxImportException("graph output " + v.getName() + " is not computed by a supported node");
            }
            outputs.add(resolved);
        }
        try {
            return new Graph(new ArrayList<>(tensors.values()), nodes, inputs, outputs);
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException(e.getMessage());
        }
    }

    private void node(String name, NodeProto n) throws OnnxImportException {
        switch (n.getOpType()) {
            case "Constant" -> constants.put(n.getOutput(0), constantNode(name, n));
            case "Identity", "Dropout" -> {
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && consumers.containsKey(n.getOutput(1))) {
                    throw unsupported(name, n, "its mask output is used");
                }
                if (constants.containsKey(n.getInput(0))) {
                    constants.put(n.getOutput(0), constants.get(n.getInput(0)));
                } else {
                    // the alias's readers become the target's readers, in place of this node
                    String target = activation(name, n, 0);
                    aliases.put(n.getOutput(0), target);
                    consumers.merge(target, consumers.getOrDefault(n.getOutput(0), 0) - 1, Integer::sum);
                }
            }
            case "Shape" -> shape(name, n);
            case "Gather" -> gather(name, n);
            case "Unsqueeze" -> unsqueeze(name, n);
            case "Concat" -> concat(name, n);
            case "Cast" -> {
                long to = intAttribute(n, "to", 0);
                if (to != TensorProto.DataType.INT64_VALUE && to != TensorProto.DataType.INT32_VALUE) {
                    throw unsupported(name, n, "only casts between integer shape values are supported");
                }
                constants.put(n.getOutput(0), intConstant(name, n, 0));
            }
            case "Reshape" -> reshape(name, n);
            case "Flatten" -> {
                long axis = intAttribute(n, "axis", 1);
                int[] shape = shapeOf(activation(name, n, 0));
                if (axis != 1 && axis != 1 - shape.length) {
                    throw unsupported(name, n, "axis " + axis + " (only 1 keeps the batch dimension)");
                }
                flatten(name, n, shape);
            }
            case "Conv" -> conv(name, n);
            case "BatchNormalization" -> batchNorm(name, n);
            case "MaxPool", "AveragePool" -> pool(name, n);
            case "GlobalAveragePool" -> {
                String in = activation(name, n, 0);
                int[] shape = shapeOf(in);
                if (shape.length != 4) {
                    throw unsupported(name, n, "input of rank " + shape.length + "; NCHW expected");
                }
                emit(new Node(name, OpType.GLOBAL_AVERAGE_POOL, List.of(in), List.of(n.getOutput(0))),
                        new int[] {-1, shape[1], 1, 1});
            }
            case "Gemm" -> gemm(name, n);
            case "MatMul" -> matMul(name, n);
            case "Add" -> addBias(name, n);
            case "Relu" -> relu(name, n);
            case "Softmax" -> {
                String in = activation(name, n, 0);
                int[] shape = shapeOf(in);
                long axis = intAttribute(n, "axis", -1);
                if (shape.length != 2 || (axis != -1 && axis != 1)) {
                    throw unsupported(name, n, "softmax over axis " + axis + " of a rank-" + shape.length + " tensor");
                }
                emit(new Node(name, OpType.SOFTMAX, List.of(in), List.of(n.getOutput(0))), shape);
            }
            default -> throw unsupported(name, n, "operator not supported");
        }
    }

    private void shape(String name, NodeProto n) throws OnnxImportException {
        int[] shape = shapeOf(activation(name, n, 0));
        int start = clampAxis(intAttribute(n, "start", 0), shape.length);
        int end = clampAxis(intAttribute(n, "end", shape.length), shape.length);
        long[] dims = new long[Math.max(0, end - start)];
        for (int i = 0; i < dims.length; i++) {
            int d = shape[start + i];
            dims[i] = d == -1 ? BATCH : d;
        }
        constants.put(n.getOutput(0), new Constant(new long[] {dims.length}, null, dims));
    }

    private void gather(String name, NodeProto n) throws OnnxImportException {
        Constant data = intConstant(name, n, 0);
        Constant indices = intConstant(name, n, 1);
        if (data.dims().length != 1 || intAttribute(n, "axis", 0) != 0 || indices.dims().length > 1) {
            throw unsupported(name, n, "only gathering from a 1-D shape vector is supported");
        }
        long[] out = new long[indices.ints().length];
        for (int i = 0; i < out.length; i++) {
            long index = indices.ints()[i];
            int k = (int) (index < 0 ? index + data.ints().length : index);
            if (k < 0 || k >= data.ints().length) {
                throw unsupported(name, n, "index " + index + " is outside a vector of " + data.ints().length);
            }
            out[i] = data.ints()[k];
        }
        constants.put(n.getOutput(0), new Constant(indices.dims().clone(), null, out));
    }

    private void unsqueeze(String name, NodeProto n) throws OnnxImportException {
        Constant data = intConstant(name, n, 0);
        long[] axes = n.getInputCount() > 1 ? intConstant(name, n, 1).ints() : intsAttribute(n, "axes");
        int rank = data.dims().length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[(int) normalizeAxis(a, rank)] = true;
        }
        long[] dims = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            dims[i] = inserted[i] ? 1 : data.dims()[j++];
        }
        constants.put(n.getOutput(0), new Constant(dims, null, data.ints()));
    }

    private void concat(String name, NodeProto n) throws OnnxImportException {
        if (!constants.containsKey(n.getInput(0))) {
            concatActivations(name, n);
            return;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            Constant c = intConstant(name, n, i);
            if (c.dims().length != 1) {
                throw unsupported(name, n, "only concatenating 1-D shape vectors is supported");
            }
            for (long v : c.ints()) {
                out.add(v);
            }
        }
        constants.put(n.getOutput(0), new Constant(new long[] {out.size()}, null,
                out.stream().mapToLong(Long::longValue).toArray()));
    }

    private void reshape(String name, NodeProto n) throws OnnxImportException {
        String in = activation(name, n, 0);
        int[] shape = shapeOf(in);
        long[] target = intConstant(name, n, 1).ints();
        long perSample = 1;
        for (int i = 1; i < shape.length; i++) {
            perSample *= shape[i];
        }
        if (shape[0] != -1 || target.length != 2) {
            throw unsupported(name, n, "only reshaping [batch, ...] to [batch, rest] is supported, target "
                    + describe(target));
        }
        boolean keepsBatch = target[0] == BATCH || target[0] == 0 || (target[0] == -1 && target[1] == perSample);
        boolean restMatches = target[1] == perSample || (target[1] == -1 && target[0] != -1);
        if (!keepsBatch || !restMatches) {
            throw unsupported(name, n, "reshape of " + Arrays.toString(shape) + " to " + describe(target)
                    + " is not a flatten");
        }
        flatten(name, n, shape);
    }

    private void flatten(String name, NodeProto n, int[] shape) {
        String in = resolve(n.getInput(0));
        if (shape.length == 2) {
            aliases.put(n.getOutput(0), in);
            return;
        }
        int perSample = 1;
        for (int i = 1; i < shape.length; i++) {
            perSample = Math.multiplyExact(perSample, shape[i]);
        }
        emit(new Node(name, OpType.FLATTEN, List.of(in), List.of(n.getOutput(0))), new int[] {-1, perSample});
    }

    private void gemm(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        if (intAttribute(n, "transA", 0) != 0) {
            throw unsupported(name, n, "transA = 1");
        }
        Constant b = floatConstant(name, n, 1);
        if (b.dims().length != 2) {
            throw unsupported(name, n, "weight of rank " + b.dims().length);
        }
        float alpha = floatAttribute(n, "alpha", 1f);
        float beta = floatAttribute(n, "beta", 1f);
        boolean transB = intAttribute(n, "transB", 0) != 0;
        int out = (int) (transB ? b.dims()[0] : b.dims()[1]);
        int in = (int) (transB ? b.dims()[1] : b.dims()[0]);
        float[] w = transB ? b.floats().clone() : transpose(b.floats(), in, out);
        scale(w, alpha);
        float[] bias = null;
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            bias = broadcastBias(name, n, floatConstant(name, n, 2), out);
            scale(bias, beta);
        }
        fullyConnected(name, n, x, w, bias, in, out);
    }

    private void matMul(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        Constant b = floatConstant(name, n, 1);
        if (b.dims().length != 2) {
            throw unsupported(name, n, "right operand of rank " + b.dims().length);
        }
        int in = (int) b.dims()[0];
        int out = (int) b.dims()[1];
        fullyConnected(name, n, x, transpose(b.floats(), in, out), null, in, out);
    }

    private void fullyConnected(String name, NodeProto n, String x, float[] w, float[] bias, int in, int out)
            throws OnnxImportException {
        int[] shape = shapeOf(x);
        if (shape.length != 2 || shape[1] != in) {
            throw unsupported(name, n, "input " + Arrays.toString(shape) + " does not match a weight of " + in + " inputs");
        }
        String weight = uniqueName(n.getInput(1));
        declare(Tensor.constant(weight, w, out, in));
        List<String> ins = new ArrayList<>(List.of(x, weight));
        if (bias != null) {
            String b = uniqueName(n.getInput(2));
            declare(Tensor.constant(b, bias, out));
            ins.add(b);
        }
        emit(new Node(name, OpType.FULLY_CONNECTED, ins, List.of(n.getOutput(0)),
                Map.of("activation", Activation.NONE.name())), new int[] {-1, out});
    }

    /**
     * Folds {@code Add(layer, constant bias)} into the fully-connected layer or convolution that computes
     * {@code layer}; any other Add becomes an ADD node (broadcasting a constant or a second activation).
     */
    private void addBias(String name, NodeProto n) throws OnnxImportException {
        int constantSide = constants.containsKey(n.getInput(1)) ? 1 : 0;
        boolean hasConstant = constants.containsKey(n.getInput(constantSide));
        String x = hasConstant ? resolve(n.getInput(1 - constantSide)) : activation(name, n, 0);
        Integer index = producer.get(x);
        Node layer = index == null ? null : nodes.get(index);
        boolean foldable = hasConstant && layer != null && isLayer(layer) && layer.activation() == Activation.NONE
                && consumers.getOrDefault(x, 0) == 1 && isPerChannel(constants.get(n.getInput(constantSide)), shapeOf(x));
        if (!foldable) {
            String b;
            if (hasConstant) {
                Constant c = floatConstant(name, n, constantSide);
                b = uniqueName(n.getInput(constantSide));
                declare(Tensor.constant(b, c.floats().clone(), c.dims().length == 0 ? new int[] {1} : toInts(c.dims())));
            } else {
                b = activation(name, n, 1);
            }
            emit(new Node(name, OpType.ADD, List.of(x, b), List.of(n.getOutput(0)),
                    Map.of("activation", Activation.NONE.name())), shapeOf(x));
            return;
        }
        int out = shapeOf(x)[1];
        float[] add = broadcastBias(name, n, floatConstant(name, n, constantSide), out);
        List<String> ins = new ArrayList<>(layer.inputs());
        if (ins.size() == 3) {
            float[] old = tensors.get(ins.get(2)).floats();
            for (int i = 0; i < out; i++) {
                add[i] += old[i];
            }
            tensors.remove(ins.get(2));
            ins.remove(2);
        }
        String b = uniqueName(n.getInput(constantSide));
        declare(Tensor.constant(b, add, out));
        ins.add(b);
        replace(index, new Node(layer.name(), layer.op(), ins, layer.outputs(), layer.attributes()), n.getOutput(0));
    }

    private static boolean isLayer(Node node) {
        return node.op() == OpType.FULLY_CONNECTED || node.op() == OpType.CONV_2D;
    }

    /** A bias of one value per channel (axis 1) or one scalar, right-aligned NumPy-style. */
    private static boolean isPerChannel(Constant c, int[] shape) {
        if (c.floats() == null) {
            return false;
        }
        long[] d = c.dims();
        if (c.elements() == 1) {
            return d.length <= shape.length;
        }
        if (d.length > shape.length || d.length == 0) {
            return false;
        }
        for (int i = 0; i < d.length; i++) {
            int axis = shape.length - d.length + i;
            if (d[i] != 1 && !(axis == 1 && d[i] == shape[1])) {
                return false;
            }
        }
        return true;
    }

    private void relu(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        Integer index = producer.get(x);
        boolean fusable = index != null && consumers.getOrDefault(x, 0) == 1 && isLayer(nodes.get(index))
                && nodes.get(index).activation() == Activation.NONE;
        if (fusable) {
            Node layer = nodes.get(index);
            Map<String, String> attributes = new java.util.HashMap<>(layer.attributes());
            attributes.put("activation", Activation.RELU.name());
            replace(index, new Node(layer.name(), layer.op(), layer.inputs(), layer.outputs(), attributes), n.getOutput(0));
        } else {
            emit(new Node(name, OpType.RELU, List.of(x), List.of(n.getOutput(0))), shapeOf(x));
        }
    }

    private void conv(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        int[] shape = shapeOf(x);
        Constant w = floatConstant(name, n, 1);
        if (shape.length != 4 || w.dims().length != 4) {
            throw unsupported(name, n, "only 2-D convolutions of NCHW inputs are supported");
        }
        String autoPad = stringAttribute(n, "auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw unsupported(name, n, "auto_pad " + autoPad + " (give explicit pads)");
        }
        int out = (int) w.dims()[0];
        int kh = (int) w.dims()[2];
        int kw = (int) w.dims()[3];
        long group = intAttribute(n, "group", 1);
        long[] strides = intsAttribute(n, "strides", 1, 1);
        long[] pads = intsAttribute(n, "pads", 0, 0, 0, 0);
        long[] dilations = intsAttribute(n, "dilations", 1, 1);
        if (group < 1 || shape[1] % group != 0 || out % group != 0 || w.dims()[1] != shape[1] / group) {
            throw unsupported(name, n, "weight " + Arrays.toString(w.dims()) + " does not fit input "
                    + Arrays.toString(shape) + " in " + group + " groups");
        }
        int oh = (int) ((shape[2] + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) / strides[0] + 1);
        int ow = (int) ((shape[3] + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) / strides[1] + 1);
        if (oh < 1 || ow < 1) {
            throw unsupported(name, n, "kernel does not fit the input");
        }
        String weight = uniqueName(n.getInput(1));
        declare(Tensor.constant(weight, w.floats().clone(), toInts(w.dims())));
        List<String> ins = new ArrayList<>(List.of(x, weight));
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            String b = uniqueName(n.getInput(2));
            declare(Tensor.constant(b, broadcastBias(name, n, floatConstant(name, n, 2), out), out));
            ins.add(b);
        }
        Map<String, String> attributes = new java.util.HashMap<>();
        attributes.put("strides", strides[0] + "," + strides[1]);
        attributes.put("pads", pads[0] + "," + pads[1] + "," + pads[2] + "," + pads[3]);
        attributes.put("dilations", dilations[0] + "," + dilations[1]);
        attributes.put("group", Long.toString(group));
        attributes.put("kernel_shape", kh + "," + kw);
        attributes.put("activation", Activation.NONE.name());
        emit(new Node(name, OpType.CONV_2D, ins, List.of(n.getOutput(0)), attributes), new int[] {-1, out, oh, ow});
    }

    /** Folds inference batch normalization into the convolution or fully-connected layer before it. */
    private void batchNorm(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        float[] gamma = floatConstant(name, n, 1).floats();
        float[] beta = floatConstant(name, n, 2).floats();
        float[] mean = floatConstant(name, n, 3).floats();
        float[] var = floatConstant(name, n, 4).floats();
        float epsilon = floatAttribute(n, "epsilon", 1e-5f);
        int channels = shapeOf(x)[1];
        if (gamma.length != channels || beta.length != channels || mean.length != channels || var.length != channels) {
            throw unsupported(name, n, "parameters do not have one value per channel (" + channels + ")");
        }
        if (n.getOutputCount() > 1 && n.getOutputList().subList(1, n.getOutputCount()).stream().anyMatch(consumers::containsKey)) {
            throw unsupported(name, n, "training-mode outputs are used");
        }
        Integer index = producer.get(x);
        Node layer = index == null ? null : nodes.get(index);
        if (layer == null || !isLayer(layer) || layer.activation() != Activation.NONE || consumers.getOrDefault(x, 0) != 1) {
            List<String> ins = new ArrayList<>(List.of(x));
            for (int i = 1; i <= 4; i++) {
                String t = uniqueName(n.getInput(i));
                declare(Tensor.constant(t, floatConstant(name, n, i).floats().clone(), channels));
                ins.add(t);
            }
            emit(new Node(name, OpType.BATCH_NORMALIZATION, ins, List.of(n.getOutput(0)),
                    Map.of("epsilon", Float.toString(epsilon))), shapeOf(x));
            return;
        }
        Tensor w = tensors.get(layer.inputs().get(1));
        float[] weights = w.floats();
        int perChannel = weights.length / channels;
        float[] bias = layer.inputs().size() > 2 ? tensors.get(layer.inputs().get(2)).floats() : new float[channels];
        for (int c = 0; c < channels; c++) {
            float factor = (float) (gamma[c] / Math.sqrt(var[c] + epsilon));
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                weights[i] *= factor;
            }
            bias[c] = (bias[c] - mean[c]) * factor + beta[c];
        }
        tensors.put(w.name(), Tensor.constant(w.name(), weights, w.shape()));
        List<String> ins = new ArrayList<>(layer.inputs());
        if (ins.size() > 2) {
            tensors.put(ins.get(2), Tensor.constant(ins.get(2), bias, channels));
        } else {
            String b = uniqueName(layer.name() + ".bias");
            declare(Tensor.constant(b, bias, channels));
            ins.add(b);
        }
        replace(index, new Node(layer.name(), layer.op(), ins, layer.outputs(), layer.attributes()), n.getOutput(0));
    }

    private void pool(String name, NodeProto n) throws OnnxImportException {
        String x = activation(name, n, 0);
        int[] shape = shapeOf(x);
        long[] kernel = intsAttribute(n, "kernel_shape");
        if (shape.length != 4 || kernel.length != 2) {
            throw unsupported(name, n, "only 2-D pooling of NCHW inputs is supported");
        }
        if (intAttribute(n, "ceil_mode", 0) != 0 || !stringAttribute(n, "auto_pad", "NOTSET").equals("NOTSET")) {
            throw unsupported(name, n, "ceil_mode and auto_pad are not supported");
        }
        long[] dilations = intsAttribute(n, "dilations", 1, 1);
        if (dilations[0] != 1 || dilations[1] != 1 || intAttribute(n, "storage_order", 0) != 0) {
            throw unsupported(name, n, "dilated pooling or column-major indices");
        }
        long[] strides = intsAttribute(n, "strides", 1, 1);
        long[] pads = intsAttribute(n, "pads", 0, 0, 0, 0);
        boolean average = n.getOpType().equals("AveragePool");
        if (average && intAttribute(n, "count_include_pad", 0) != 0 && Arrays.stream(pads).anyMatch(p -> p != 0)) {
            throw unsupported(name, n, "count_include_pad = 1 with padding (the runtime averages inside the input only)");
        }
        if (n.getOutputCount() > 1 && consumers.containsKey(n.getOutput(1))) {
            throw unsupported(name, n, "its indices output is used");
        }
        int oh = (int) ((shape[2] + pads[0] + pads[2] - kernel[0]) / strides[0] + 1);
        int ow = (int) ((shape[3] + pads[1] + pads[3] - kernel[1]) / strides[1] + 1);
        Map<String, String> attributes = Map.of("kernel_shape", kernel[0] + "," + kernel[1],
                "strides", strides[0] + "," + strides[1], "pads", pads[0] + "," + pads[1] + "," + pads[2] + "," + pads[3]);
        emit(new Node(name, average ? OpType.AVERAGE_POOL : OpType.MAX_POOL, List.of(x), List.of(n.getOutput(0)), attributes),
                new int[] {-1, shape[1], oh, ow});
    }

    private void concatActivations(String name, NodeProto n) throws OnnxImportException {
        List<String> ins = new ArrayList<>();
        int[] shape = null;
        long axis = intAttribute(n, "axis", 1);
        int total = 0;
        for (int i = 0; i < n.getInputCount(); i++) {
            String x = activation(name, n, i);
            int[] s = shapeOf(x);
            int a = (int) normalizeAxis(axis, s.length);
            if (a == 0) {
                throw unsupported(name, n, "concatenation along the batch axis");
            }
            shape = shape == null ? s.clone() : shape;
            total += s[a];
            ins.add(x);
        }
        int a = (int) normalizeAxis(axis, shape.length);
        shape[a] = total;
        emit(new Node(name, OpType.CONCAT, ins, List.of(n.getOutput(0)), Map.of("axis", Integer.toString(a))), shape);
    }

    private static int[] toInts(long[] dims) {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Math.toIntExact(dims[i]);
        }
        return out;
    }

    /** Replaces node {@code index} and renames its (sole-consumer) output to {@code newOutput}. */
    private void replace(int index, Node node, String newOutput) {
        String old = node.outputs().get(0);
        Tensor t = tensors.remove(old);
        producer.remove(old);
        nodes.set(index, new Node(node.name(), node.op(), node.inputs(), List.of(newOutput), node.attributes()));
        declare(Tensor.activation(newOutput, t.type(), t.shape(), null));
        producer.put(newOutput, index);
    }

    private void emit(Node node, int[] outputShape) {
        declare(Tensor.activation(node.outputs().get(0), DataType.FLOAT32, outputShape, null));
        producer.put(node.outputs().get(0), nodes.size());
        nodes.add(node);
    }

    private void declare(Tensor t) {
        if (tensors.putIfAbsent(t.name(), t) != null) {
            throw new IllegalArgumentException("tensor " + t.name() + " is produced twice");
        }
    }

    private String uniqueName(String base) {
        String name = base;
        for (int i = 2; tensors.containsKey(name); i++) {
            name = base + "#" + i;
        }
        return name;
    }

    private String resolve(String name) {
        return aliases.getOrDefault(name, name);
    }

    /** The run-time tensor input {@code i} names (after aliases). */
    private String activation(String name, NodeProto n, int i) throws OnnxImportException {
        if (i >= n.getInputCount()) {
            throw unsupported(name, n, "missing input " + i);
        }
        String resolved = resolve(n.getInput(i));
        if (!tensors.containsKey(resolved) || tensors.get(resolved).isConstant()) {
            throw unsupported(name, n, "input " + n.getInput(i) + " is not a computed tensor");
        }
        return resolved;
    }

    private int[] shapeOf(String tensor) {
        return tensors.get(tensor).shape();
    }

    private Constant floatConstant(String name, NodeProto n, int i) throws OnnxImportException {
        Constant c = i < n.getInputCount() ? constants.get(n.getInput(i)) : null;
        if (c == null || c.floats() == null) {
            throw unsupported(name, n, "input " + i + " must be a float constant");
        }
        return c;
    }

    private Constant intConstant(String name, NodeProto n, int i) throws OnnxImportException {
        Constant c = i < n.getInputCount() ? constants.get(n.getInput(i)) : null;
        if (c == null || c.ints() == null) {
            throw unsupported(name, n, "input " + i + " must be an integer constant (folded shape arithmetic)");
        }
        return c;
    }

    private static float[] broadcastBias(String name, NodeProto n, Constant c, int out) throws OnnxImportException {
        if (c.elements() == out) {
            return c.floats().clone();
        }
        if (c.elements() == 1) {
            float[] b = new float[out];
            Arrays.fill(b, c.floats()[0]);
            return b;
        }
        throw unsupported(name, n, "bias of shape " + Arrays.toString(c.dims()) + " for " + out + " outputs");
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    private static void scale(float[] values, float factor) {
        if (factor != 1f) {
            for (int i = 0; i < values.length; i++) {
                values[i] *= factor;
            }
        }
    }

    private static int[] inputShape(ValueInfoProto v) throws OnnxImportException {
        if (!v.getType().hasTensorType() || v.getType().getTensorType().getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxImportException("input " + v.getName() + " is not a float tensor");
        }
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        if (dims.isEmpty()) {
            throw new OnnxImportException("input " + v.getName() + " has no shape");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                shape[i] = Math.toIntExact(d.getDimValue());
            } else if (i == 0) {
                shape[i] = -1;
            } else {
                throw new OnnxImportException("input " + v.getName() + " has a symbolic dimension " + i
                        + "; only the batch dimension may be symbolic");
            }
        }
        return shape;
    }

    private static Constant constantNode(String name, NodeProto n) throws OnnxImportException {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value" -> {
                    return constant(a.getT(), "node " + name);
                }
                case "value_float" -> {
                    return new Constant(new long[0], new float[] {a.getF()}, null);
                }
                case "value_floats" -> {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = a.getFloats(i);
                    }
                    return new Constant(new long[] {f.length}, f, null);
                }
                case "value_int" -> {
                    return new Constant(new long[0], null, new long[] {a.getI()});
                }
                case "value_ints" -> {
                    return new Constant(new long[] {a.getIntsCount()}, null,
                            a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                }
                default -> {
                    // doc strings and the like: keep looking for the value
                }
            }
        }
        throw unsupported(name, n, "no supported value attribute");
    }

    private static Constant constant(TensorProto t, String where) throws OnnxImportException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxImportException(where + " uses external data, which is not supported");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new OnnxImportException(where + " has a negative dimension");
            }
            count = Math.multiplyExact(count, d);
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                float[] f = new float[Math.toIntExact(count)];
                if (t.hasRawData()) {
                    requireBytes(where, raw, count, 4);
                    raw.asFloatBuffer().get(f);
                } else {
                    requireCount(where, t.getFloatDataCount(), count);
                    for (int i = 0; i < f.length; i++) {
                        f[i] = t.getFloatData(i);
                    }
                }
                return new Constant(dims, f, null);
            }
            case TensorProto.DataType.INT64_VALUE -> {
                long[] v = new long[Math.toIntExact(count)];
                if (t.hasRawData()) {
                    requireBytes(where, raw, count, 8);
                    raw.asLongBuffer().get(v);
                } else {
                    requireCount(where, t.getInt64DataCount(), count);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = t.getInt64Data(i);
                    }
                }
                return new Constant(dims, null, v);
            }
            case TensorProto.DataType.INT32_VALUE -> {
                long[] v = new long[Math.toIntExact(count)];
                if (t.hasRawData()) {
                    requireBytes(where, raw, count, 4);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = raw.getInt(i * 4);
                    }
                } else {
                    requireCount(where, t.getInt32DataCount(), count);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = t.getInt32Data(i);
                    }
                }
                return new Constant(dims, null, v);
            }
            default -> throw new OnnxImportException(where + " has data type " + t.getDataType()
                    + "; float32, int64 and int32 are supported");
        }
    }

    private static void requireBytes(String where, ByteBuffer raw, long count, int width) throws OnnxImportException {
        if (raw.remaining() != count * width) {
            throw new OnnxImportException(where + " holds " + raw.remaining() + " bytes of raw data for "
                    + count + " elements");
        }
    }

    private static void requireCount(String where, int actual, long count) throws OnnxImportException {
        if (actual != count) {
            throw new OnnxImportException(where + " holds " + actual + " values for " + count + " elements");
        }
    }

    private static long normalizeAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is outside rank " + rank);
        }
        return a;
    }

    /** Shape's start/end: negative counts from the end, out-of-range clamps (opset 15). */
    private static int clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }

    private static long intAttribute(NodeProto n, String name, long fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(AttributeProto::getI).orElse(fallback);
    }

    private static long[] intsAttribute(NodeProto n, String name, long... fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(fallback);
    }

    private static String stringAttribute(NodeProto n, String name, String fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(a -> a.getS().toStringUtf8()).orElse(fallback);
    }

    private static float floatAttribute(NodeProto n, String name, float fallback) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(AttributeProto::getF).orElse(fallback);
    }

    private static String describe(long[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i] == BATCH ? "batch" : Long.toString(shape[i]));
        }
        return s.append(']').toString();
    }

    private static OnnxImportException unsupported(String name, NodeProto n, String why) {
        return new OnnxImportException("node " + name + " (" + n.getOpType() + "): " + why);
    }
}
