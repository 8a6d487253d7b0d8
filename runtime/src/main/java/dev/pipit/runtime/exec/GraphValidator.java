package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import dev.pipit.runtime.kernel.Broadcast;
import dev.pipit.runtime.kernel.Int8Softmax;
import dev.pipit.runtime.kernel.Window2d;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a graph before anything is planned or run: dataflow (every tensor exists and is produced once,
 * before it is read), one fp32 input and output, and per operator its arity, attributes (none unknown),
 * and the data types, shapes and quantization its kernel needs (formats in {@link OpType}). Every
 * failure names the node or tensor at fault. Contents of compressed weights (index ranges, ordering) are
 * checked when their kernels are built, with the same naming.
 */
final class GraphValidator {

    /** Largest int8 dot-product length whose accumulator cannot overflow: k · 127 · 255 < 2^31. */
    static final int MAX_INT8_FC_INPUTS = Integer.MAX_VALUE / (127 * 255);

    private static final Set<String> FUSED = Set.of("activation", "activation_min", "activation_max");
    private static final Map<OpType, Set<String>> ATTRIBUTES = attributes();

    private static Map<OpType, Set<String>> attributes() {
        Map<OpType, Set<String>> known = new EnumMap<>(OpType.class);
        for (OpType op : OpType.values()) {
            known.put(op, Set.of());
        }
        known.put(OpType.FULLY_CONNECTED, union(FUSED, Set.of(WeightFormat.ATTRIBUTE)));
        known.put(OpType.CONV_2D, union(FUSED, Set.of(WeightFormat.ATTRIBUTE, "strides", "pads", "dilations", "group", "kernel_shape")));
        known.put(OpType.MAX_POOL, Set.of("kernel_shape", "strides", "pads"));
        known.put(OpType.AVERAGE_POOL, Set.of("kernel_shape", "strides", "pads"));
        known.put(OpType.ADD, FUSED);
        known.put(OpType.MATMUL, FUSED);
        known.put(OpType.FULLY_CONNECTED_DYNAMIC, FUSED);
        known.put(OpType.CLIP, Set.of("min", "max"));
        known.put(OpType.LEAKY_RELU, Set.of("alpha"));
        known.put(OpType.CONCAT, Set.of("axis"));
        known.put(OpType.RESHAPE, Set.of("shape"));
        known.put(OpType.BATCH_NORMALIZATION, Set.of("epsilon"));
        return known;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private final Graph graph;
    private final Map<String, Tensor> tensors;
    private final Map<String, Integer> producer = new HashMap<>();

    private GraphValidator(Graph graph) {
        this.graph = graph;
        this.tensors = graph.tensorsByName();
    }

    static void validate(Graph graph) {
        new GraphValidator(graph).check();
    }

    private void check() {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new InvalidGraphException("the graph needs exactly one input and one output, has "
                    + graph.inputs() + " and " + graph.outputs());
        }
        if (graph.nodes().isEmpty()) {
            throw new InvalidGraphException("the graph has no nodes");
        }
        String input = graph.inputs().get(0);
        String output = graph.outputs().get(0);
        checkBoundary("input", input);
        checkBoundary("output", output);

        List<Node> nodes = graph.nodes();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (!names.add(node.name())) {
                throw new InvalidGraphException("node name " + node.name() + " is used twice");
            }
            for (String out : node.outputs()) {
                Tensor t = tensor(node, out);
                if (t.isConstant() || out.equals(input)) {
                    throw new InvalidGraphException("node " + node.name() + " writes " + out
                            + ", which is a " + (t.isConstant() ? "constant" : "graph input"));
                }
                Integer previous = producer.put(out, i);
                if (previous != null) {
                    throw new InvalidGraphException("tensor " + out + " is produced by both node "
                            + nodes.get(previous).name() + " and node " + node.name());
                }
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (String in : node.inputs()) {
                Tensor t = tensor(node, in);
                Integer from = producer.get(in);
                if (!t.isConstant() && !in.equals(input) && from == null) {
                    throw new InvalidGraphException("node " + node.name() + " reads " + in
                            + ", which no node produces and is neither the graph input nor a constant");
                }
                if (from != null && from >= i) {
                    throw new InvalidGraphException("node " + node.name() + " reads " + in
                            + " before node " + nodes.get(from).name() + " produces it");
                }
            }
            checkNode(node);
        }
        if (!producer.containsKey(output)) {
            throw new InvalidGraphException("graph output " + output + " is not produced by any node");
        }
    }

    private void checkBoundary(String role, String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new InvalidGraphException("graph " + role + " " + name + " is not a declared tensor");
        }
        if (t.isConstant() || t.type() != DataType.FLOAT32) {
            throw new InvalidGraphException("graph " + role + " " + name + " must be an fp32 activation, is " + t);
        }
    }

    private Tensor tensor(Node node, String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new InvalidGraphException("node " + node.name() + " uses unknown tensor " + name);
        }
        return t;
    }

    private void checkNode(Node node) {
        int inputs = node.inputs().size();
        int[] arity = arity(node);
        if (node.outputs().size() != 1 || inputs < arity[0] || inputs > arity[1]) {
            String expected = arity[0] == arity[1] ? arity[0] + " input" + (arity[0] == 1 ? "" : "s")
                    : arity[1] == Integer.MAX_VALUE ? arity[0] + " or more inputs" : arity[0] + " or " + arity[1] + " inputs";
            throw fail(node, node.op() + " takes " + expected + " and 1 output, has " + node.inputs() + " and " + node.outputs());
        }
        Set<String> known = ATTRIBUTES.get(node.op());
        for (String name : new TreeSet<>(node.attributes().keySet())) {
            if (!known.contains(name)) {
                throw fail(node, "unknown attribute " + name + " (" + node.op() + " takes " + (known.isEmpty() ? "none" : new TreeSet<>(known)) + ")");
            }
        }
        if (known.contains("activation")) {
            NodeAttributes.activation(node);
        }
        Tensor x = activation(node, node.inputs().get(0));
        Tensor y = activation(node, node.outputs().get(0));
        switch (node.op()) {
            case FULLY_CONNECTED -> checkFullyConnected(node, x, y);
            case RELU, RELU6, LEAKY_RELU -> {
                requireTypes(node, x.type() == y.type(), x, y);
                requireSameSample(node, x, y);
                if (node.op() == OpType.LEAKY_RELU) {
                    float alpha = NodeAttributes.real(node, "alpha", 0.01f);
                    if (!(alpha >= 0) || Float.isInfinite(alpha)) {
                        throw fail(node, "alpha must be finite and non-negative, is " + alpha);
                    }
                }
            }
            case CLIP -> {
                requireTypes(node, x.type() == y.type(), x, y);
                requireSameSample(node, x, y);
                NodeAttributes.range(node, NodeAttributes.real(node, "min", Float.NEGATIVE_INFINITY),
                        NodeAttributes.real(node, "max", Float.POSITIVE_INFINITY));
            }
            case SOFTMAX -> {
                requireTypes(node, x.type() == y.type(), x, y);
                requireSameSample(node, x, y);
                if (x.shape().length < 2) {
                    throw fail(node, "softmax needs a feature axis after the batch axis, input " + x.name()
                            + " has shape " + Arrays.toString(x.shape()));
                }
                if (y.type() == DataType.INT8 && !y.quantization().equals(Int8Softmax.OUTPUT)) {
                    throw fail(node, "int8 softmax output " + y.name() + " must have scale 1/256 and zero point -128 (TFLite), has "
                            + y.quantization());
                }
            }
            case FLATTEN -> {
                requireTypes(node, x.type() == y.type(), x, y);
                if (y.shape().length != 2 || y.shape()[1] != x.elementsPerSample()) {
                    throw fail(node, "output " + y.name() + " shape " + Arrays.toString(y.shape())
                            + " is not [batch, " + x.elementsPerSample() + "]");
                }
                requireSameQuantization(node, x, y, "a flattened int8 tensor keeps its quantization");
            }
            case RESHAPE -> checkReshape(node, x, y);
            case QUANTIZE -> {
                requireTypes(node, x.type() == DataType.FLOAT32 && y.type() == DataType.INT8, x, y);
                requireSameSample(node, x, y);
            }
            case DEQUANTIZE -> {
                requireTypes(node, x.type() == DataType.INT8 && y.type() == DataType.FLOAT32, x, y);
                requireSameSample(node, x, y);
            }
            case CONV_2D -> checkConv(node, x, y);
            case MAX_POOL, AVERAGE_POOL -> {
                requireTypes(node, x.type() == y.type(), x, y);
                int[] xs = requireRank(node, x, 4, "[n, c, h, w]");
                requireRank(node, y, 4, "[n, c, oh, ow]");
                Window2d window = window(node, xs, NodeAttributes.ints(node, "kernel_shape", 2, null), new int[] {1, 1});
                requireShape(node, y, new int[] {-1, xs[1], window.outH(), window.outW()});
                requireSameQuantization(node, x, y, "int8 pooling needs equal input and output quantization");
            }
            case GLOBAL_AVERAGE_POOL -> {
                requireTypes(node, x.type() == y.type(), x, y);
                int[] xs = requireRank(node, x, 4, "[n, c, h, w]");
                int[] ys = y.shape();
                if (!(ys.length == 4 && ys[1] == xs[1] && ys[2] == 1 && ys[3] == 1) && !(ys.length == 2 && ys[1] == xs[1])) {
                    throw fail(node, "output " + y.name() + " shape " + Arrays.toString(ys) + " is not [n, " + xs[1] + ", 1, 1] or [n, " + xs[1] + "]");
                }
            }
            case ADD -> checkAdd(node, x, y);
            case CONCAT -> checkConcat(node, y);
            case MATMUL -> checkMatMul(node, x, y);
            case FULLY_CONNECTED_DYNAMIC -> checkDynamic(node, x, y);
            case BATCH_NORMALIZATION -> checkBatchNorm(node, x, y);
        }
    }

    /** Fewest and most inputs. */
    private static int[] arity(Node node) {
        return switch (node.op()) {
            case FULLY_CONNECTED, CONV_2D -> {
                int weights = format(node).tensors();
                yield new int[] {1 + weights, 2 + weights};
            }
            case ADD, MATMUL -> new int[] {2, 2};
            case FULLY_CONNECTED_DYNAMIC -> new int[] {2, 3};
            case CONCAT -> new int[] {1, Integer.MAX_VALUE};
            case BATCH_NORMALIZATION -> new int[] {5, 5};
            default -> new int[] {1, 1};
        };
    }

    private static WeightFormat format(Node node) {
        try {
            return WeightFormat.of(node);
        } catch (IllegalArgumentException e) {
            throw fail(node, "unknown weight_format '" + node.attributes().get(WeightFormat.ATTRIBUTE)
                    + "' (supported: dense, csr, bitmap, palette4, palette8)");
        }
    }

    /** An activation read or written by a node: batch-major, with a per-tensor quantization if int8. */
    private Tensor activation(Node node, String name) {
        Tensor t = tensors.get(name);
        if (t.isConstant()) {
            throw fail(node, "tensor " + name + " is a constant where an activation is expected");
        }
        if (t.shape().length == 0) {
            throw fail(node, "activation " + name + " has no batch dimension");
        }
        if (t.type() == DataType.INT32) {
            throw fail(node, "activation " + name + " is INT32; only biases may be");
        }
        if (t.type() == DataType.INT8) {
            requirePerTensor(node, t, "int8 activation");
        }
        return t;
    }

    private static void requirePerTensor(Node node, Tensor t, String role) {
        Quantization q = t.quantization();
        if (q == null || !q.isPerTensor()) {
            throw fail(node, role + " " + t.name() + " needs a per-tensor quantization, has " + q);
        }
        if (q.zeroPoint() < -128 || q.zeroPoint() > 127) {
            throw fail(node, role + " " + t.name() + " has zero point " + q.zeroPoint() + " outside [-128, 127]");
        }
    }

    private Tensor constant(Node node, int index) {
        Tensor t = tensors.get(node.inputs().get(index));
        if (!t.isConstant()) {
            throw fail(node, "input " + t.name() + " must be a constant");
        }
        return t;
    }

    private void checkFullyConnected(Node node, Tensor x, Tensor y) {
        WeightFormat format = format(node);
        int[] xs = x.shape();
        int[] ys = y.shape();
        int weightsEnd = 1 + format.tensors();
        Tensor b = node.inputs().size() > weightsEnd ? constant(node, weightsEnd) : null;
        if (format != WeightFormat.DENSE) {
            if (xs.length != 2 || ys.length != 2) {
                throw fail(node, "shapes do not fit: input " + x.name() + " " + Arrays.toString(xs) + ", output " + y.name()
                        + " " + Arrays.toString(ys) + " (expected [n, in], [n, out])");
            }
            requireInt8Compressed(node, x, y, b);
            Quantization wq = checkCompressedWeights(node, format, ys[1], xs[1]);
            checkInt8Bias(node, x, wq, b, ys[1]);
            return;
        }
        Tensor w = constant(node, 1);
        int[] ws = w.shape();
        if (ws.length != 2 || xs.length != 2 || ys.length != 2 || xs[1] != ws[1] || ys[1] != ws[0]) {
            throw fail(node, "shapes do not fit: input " + x.name() + " " + Arrays.toString(xs)
                    + ", weights " + w.name() + " " + Arrays.toString(ws) + ", output " + y.name() + " "
                    + Arrays.toString(ys) + " (expected [n, in], [out, in], [n, out])");
        }
        requireBiasShape(node, b, ws[0]);
        boolean fp32 = x.type() == DataType.FLOAT32 && w.type() == DataType.FLOAT32
                && (b == null || b.type() == DataType.FLOAT32) && y.type() == DataType.FLOAT32;
        boolean int8 = x.type() == DataType.INT8 && w.type() == DataType.INT8
                && (b == null || b.type() == DataType.INT32) && y.type() == DataType.INT8;
        if (!fp32 && !int8) {
            throw fail(node, "no " + node.op() + " kernel for input " + x.type() + ", weights " + w.type()
                    + ", bias " + (b == null ? "none" : b.type()) + ", output " + y.type()
                    + " (supported: all FLOAT32; or INT8, INT8, INT32, INT8)");
        }
        if (int8) {
            checkInt8Weights(node, w, ws[1]);
            checkInt8Bias(node, x, w.quantization(), b, ws[0]);
        }
    }

    private void checkConv(Node node, Tensor x, Tensor y) {
        WeightFormat format = format(node);
        int[] xs = requireRank(node, x, 4, "[n, c, h, w]");
        int[] ys = requireRank(node, y, 4, "[n, out, oh, ow]");
        int group = NodeAttributes.integer(node, "group", 1);
        int out = ys[1];
        if (group < 1 || xs[1] % group != 0 || out % group != 0) {
            throw fail(node, "group " + group + " must divide the " + xs[1] + " input and " + out + " output channels");
        }
        int weightsEnd = 1 + format.tensors();
        Tensor b = node.inputs().size() > weightsEnd ? constant(node, weightsEnd) : null;
        int[] kernel;
        if (format == WeightFormat.DENSE) {
            Tensor w = constant(node, 1);
            int[] ws = w.shape();
            if (ws.length != 4 || ws[0] != out || ws[1] != xs[1] / group) {
                throw fail(node, "weights " + w.name() + " shape " + Arrays.toString(ws) + " is not [out, in / group, kh, kw] = ["
                        + out + ", " + xs[1] / group + ", kh, kw]");
            }
            kernel = NodeAttributes.ints(node, "kernel_shape", 2, new int[] {ws[2], ws[3]});
            if (kernel[0] != ws[2] || kernel[1] != ws[3]) {
                throw fail(node, "kernel_shape " + kernel[0] + "," + kernel[1] + " does not match weights " + w.name() + " " + Arrays.toString(ws));
            }
            boolean fp32 = x.type() == DataType.FLOAT32 && w.type() == DataType.FLOAT32
                    && (b == null || b.type() == DataType.FLOAT32) && y.type() == DataType.FLOAT32;
            boolean int8 = x.type() == DataType.INT8 && w.type() == DataType.INT8
                    && (b == null || b.type() == DataType.INT32) && y.type() == DataType.INT8;
            if (!fp32 && !int8) {
                throw fail(node, "no CONV_2D kernel for input " + x.type() + ", weights " + w.type() + ", bias "
                        + (b == null ? "none" : b.type()) + ", output " + y.type() + " (supported: all FLOAT32; or INT8, INT8, INT32, INT8)");
            }
            if (int8) {
                checkInt8Weights(node, w, xs[1] / group * kernel[0] * kernel[1]);
                checkInt8Bias(node, x, w.quantization(), b, out);
            }
            requireBiasShape(node, b, out);
        } else {
            kernel = NodeAttributes.ints(node, "kernel_shape", 2, null);
            if (kernel[0] < 1 || kernel[1] < 1) {
                throw fail(node, "kernel_shape " + kernel[0] + "," + kernel[1] + " must be positive");
            }
            requireInt8Compressed(node, x, y, b);
            Quantization wq = checkCompressedWeights(node, format, out, xs[1] / group * kernel[0] * kernel[1]);
            checkInt8Bias(node, x, wq, b, out);
        }
        Window2d window = window(node, xs, kernel, NodeAttributes.ints(node, "dilations", 2, new int[] {1, 1}));
        requireShape(node, y, new int[] {-1, out, window.outH(), window.outW()});
    }

    private static Window2d window(Node node, int[] xs, int[] kernel, int[] dilations) {
        int[] strides = NodeAttributes.ints(node, "strides", 2, new int[] {1, 1});
        int[] pads = NodeAttributes.ints(node, "pads", 4, new int[4]);
        try {
            return new Window2d(xs[2], xs[3], kernel[0], kernel[1], strides[0], strides[1],
                    pads[0], pads[1], pads[2], pads[3], dilations[0], dilations[1]);
        } catch (IllegalArgumentException e) {
            throw fail(node, e.getMessage());
        }
    }

    private static void requireInt8Compressed(Node node, Tensor x, Tensor y, Tensor b) {
        if (x.type() != DataType.INT8 || y.type() != DataType.INT8 || (b != null && b.type() != DataType.INT32)) {
            throw fail(node, "compressed weights (" + format(node).attribute() + ") need int8 input and output and an int32 bias, have "
                    + x.type() + ", " + y.type() + ", " + (b == null ? "no bias" : b.type()));
        }
    }

    /**
     * The compressed weight tensors of {@code out} rows of {@code k} values, as far as their shapes go;
     * returns the weight quantization (on the row-indexed first tensor).
     */
    private Quantization checkCompressedWeights(Node node, WeightFormat format, int out, int k) {
        if (k > MAX_INT8_FC_INPUTS) {
            throw fail(node, "weight rows of " + k + " values could overflow the int32 accumulator (max " + MAX_INT8_FC_INPUTS + ")");
        }
        Tensor first = constant(node, 1);
        if (format == WeightFormat.CSR) {
            Tensor columns = constant(node, 2);
            Tensor values = constant(node, 3);
            requireTensor(node, first, "row_ends", DataType.INT32, new int[] {out});
            int nnz = values.shape()[0];
            requireTensor(node, values, "values", DataType.INT8, new int[] {nnz});
            if (columns.type() == DataType.INT8) {
                requireTensor(node, columns, "column_indices", DataType.INT8, new int[] {nnz, 2});
                if (k > 1 << 16) {
                    throw fail(node, "16-bit column_indices " + columns.name() + " cannot index " + k + " columns");
                }
            } else {
                requireTensor(node, columns, "column_indices", DataType.INT32, new int[] {nnz});
            }
        } else if (format == WeightFormat.BITMAP) {
            requireTensor(node, first, "mask", DataType.INT8, new int[] {out, (k + 7) / 8});
            Tensor values = constant(node, 2);
            int[] vs = values.shape();
            requireTensor(node, values, "values", DataType.INT8, new int[] {vs.length == 1 ? vs[0] : -1}); // [-1]: not rank 1
        } else {
            int bits = format == WeightFormat.PALETTE4 ? 4 : 8;
            Tensor codebook = constant(node, 2);
            requireTensor(node, first, "indices", DataType.INT8, new int[] {out, bits == 8 ? k : (k + 1) / 2});
            int[] cs = codebook.shape();
            boolean perChannel = cs.length == 2;
            int entries = cs[cs.length - 1];
            if (codebook.type() != DataType.INT8 || (perChannel ? cs[0] != out : cs.length != 1) || entries > 1 << bits) {
                throw fail(node, "codebook " + codebook.name() + " must be INT8 [entries] or [" + out + ", entries] with at most "
                        + (1 << bits) + " entries, is " + codebook.type() + " " + Arrays.toString(cs));
            }
        }
        checkWeightQuantization(node, first);
        return first.quantization();
    }

    private static void requireTensor(Node node, Tensor t, String role, DataType type, int[] shape) {
        if (t.type() != type || !Arrays.equals(t.shape(), shape)) {
            throw fail(node, role + " " + t.name() + " must be " + type + " " + Arrays.toString(shape) + ", is "
                    + t.type() + " " + Arrays.toString(t.shape()));
        }
    }

    private static void checkWeightQuantization(Node node, Tensor w) {
        Quantization wq = w.quantization();
        if (wq == null || !(wq.isPerTensor() || wq.axis() == 0)) {
            throw fail(node, "int8 weights " + w.name() + " need per-tensor or per-output-channel (axis 0) quantization, have " + wq);
        }
        if (Arrays.stream(wq.zeroPoints()).anyMatch(z -> z != 0)) {
            throw fail(node, "int8 weights " + w.name() + " must be symmetric (zero points 0)");
        }
    }

    private static void checkInt8Weights(Node node, Tensor w, int k) {
        checkWeightQuantization(node, w);
        for (byte v : w.bytes()) {
            if (v == Byte.MIN_VALUE) {
                throw fail(node, "int8 weights " + w.name() + " hold -128; weights must be in [-127, 127]");
            }
        }
        if (k > MAX_INT8_FC_INPUTS) {
            throw fail(node, "input width " + k + " could overflow the int32 accumulator (max " + MAX_INT8_FC_INPUTS + ")");
        }
    }

    private static void requireBiasShape(Node node, Tensor b, int out) {
        if (b != null && (b.shape().length != 1 || b.shape()[0] != out)) {
            throw fail(node, "bias " + b.name() + " has shape " + Arrays.toString(b.shape()) + ", expected [" + out + "]");
        }
    }

    private static void checkInt8Bias(Node node, Tensor x, Quantization wq, Tensor b, int out) {
        if (b == null) {
            return;
        }
        requireBiasShape(node, b, out);
        Quantization bq = b.quantization();
        if (bq == null) {
            throw fail(node, "int32 bias " + b.name() + " has no quantization");
        }
        float[] weightScales = wq.scales();
        float[] biasScales = bq.scales();
        for (int c = 0; c < out; c++) {
            double expected = (double) x.quantization().scale() * weightScales[wq.isPerTensor() ? 0 : c];
            double actual = biasScales[bq.isPerTensor() ? 0 : c];
            if (Math.abs(actual - expected) > 1e-5 * expected || bq.zeroPoints()[bq.isPerTensor() ? 0 : c] != 0) {
                throw fail(node, "bias " + b.name() + " channel " + c + " has scale " + actual + " and zero point "
                        + bq.zeroPoints()[bq.isPerTensor() ? 0 : c] + "; expected input scale × weight scale = "
                        + expected + " and 0");
            }
        }
    }

    private void checkReshape(Node node, Tensor x, Tensor y) {
        requireTypes(node, x.type() == y.type(), x, y);
        if (x.elementsPerSample() != y.elementsPerSample()) {
            throw fail(node, "output " + y.name() + " " + Arrays.toString(y.shape()) + " holds " + y.elementsPerSample()
                    + " elements per sample, input " + x.name() + " " + Arrays.toString(x.shape()) + " " + x.elementsPerSample());
        }
        requireSameQuantization(node, x, y, "a reshaped int8 tensor keeps its quantization");
        if (!node.attributes().containsKey("shape")) {
            return;
        }
        int[] dims = NodeAttributes.ints(node, "shape", -1, null);
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1 && inferred < 0) {
                inferred = i;
            } else if (dims[i] < 1) {
                throw fail(node, "attribute shape " + node.attributes().get("shape") + " may hold positive dimensions and one -1");
            } else {
                known *= dims[i];
            }
        }
        if (inferred >= 0 && x.elementsPerSample() % known == 0) {
            dims[inferred] = (int) (x.elementsPerSample() / known);
        }
        int[] ys = y.shape();
        if (!Arrays.equals(dims, Arrays.copyOfRange(ys, 1, ys.length))) {
            throw fail(node, "attribute shape " + node.attributes().get("shape") + " resolves to " + Arrays.toString(dims)
                    + ", not the output's " + Arrays.toString(Arrays.copyOfRange(ys, 1, ys.length)) + " after the batch dimension");
        }
    }

    private void checkAdd(Node node, Tensor a, Tensor y) {
        Tensor b = tensors.get(node.inputs().get(1));
        if (b.type() == DataType.INT32) {
            throw fail(node, "operand " + b.name() + " is INT32");
        }
        if (a.type() != y.type() || b.type() != y.type()) {
            throw fail(node, "no ADD kernel for " + a.type() + " + " + b.type() + " to " + y.type() + " (operands and output share a type)");
        }
        requireSameSample(node, a, y);
        if (b.type() == DataType.INT8) {
            requirePerTensor(node, b, "int8 operand");
        }
        int[] as = a.shape();
        int[] bs = operandShape(b, as.length);
        try {
            Broadcast.of(Arrays.copyOfRange(as, 1, as.length), bs);
        } catch (IllegalArgumentException e) {
            throw fail(node, "operand " + b.name() + " " + Arrays.toString(b.shape()) + " does not broadcast to " + a.name() + " "
                    + Arrays.toString(as) + " (" + e.getMessage() + ")");
        }
    }

    /** b's per-sample shape: an activation's without its batch dimension; a constant's without a leading batch 1. */
    static int[] operandShape(Tensor b, int rank) {
        int[] bs = b.shape();
        if (!b.isConstant() || (bs.length == rank && bs[0] == 1)) {
            return Arrays.copyOfRange(bs, 1, bs.length);
        }
        return bs;
    }

    private void checkConcat(Node node, Tensor y) {
        int[] ys = y.shape();
        int axis = NodeAttributes.integer(node, "axis", Integer.MIN_VALUE);
        if (axis == Integer.MIN_VALUE) {
            throw fail(node, "needs attribute axis");
        }
        int resolved = axis < 0 ? axis + ys.length : axis;
        if (resolved < 1 || resolved >= ys.length) {
            throw fail(node, "axis " + axis + " is the batch axis or outside rank " + ys.length);
        }
        long sum = 0;
        for (String name : node.inputs()) {
            Tensor x = activation(node, name);
            int[] xs = x.shape();
            if (x.type() != y.type() || xs.length != ys.length) {
                throw fail(node, "input " + x.name() + " " + x.type() + " " + Arrays.toString(xs) + " does not match output "
                        + y.name() + " " + y.type() + " " + Arrays.toString(ys));
            }
            for (int d = 1; d < xs.length; d++) {
                if (d != resolved && xs[d] != ys[d]) {
                    throw fail(node, "input " + x.name() + " " + Arrays.toString(xs) + " differs from output " + Arrays.toString(ys)
                            + " outside axis " + resolved);
                }
            }
            sum += xs[resolved];
        }
        if (sum != ys[resolved]) {
            throw fail(node, "inputs add up to " + sum + " along axis " + resolved + ", output " + y.name() + " has " + ys[resolved]);
        }
    }

    private void checkMatMul(Node node, Tensor a, Tensor y) {
        Tensor b = tensors.get(node.inputs().get(1));
        int[] as = a.shape();
        int[] ys = y.shape();
        int[] bs = b.shape();
        if (as.length != 2 && as.length != 3) {
            throw fail(node, "A " + a.name() + " " + Arrays.toString(as) + " is not [n, K] or [n, M, K]");
        }
        int k = as[as.length - 1];
        boolean constantB = b.isConstant();
        int n = constantB ? (bs.length == 2 ? bs[1] : -1) : (bs.length == 3 ? bs[2] : -1);
        if ((constantB ? bs.length != 2 || bs[0] != k : bs.length != 3 || bs[1] != k)) {
            throw fail(node, "B " + b.name() + " " + Arrays.toString(bs) + " is not " + (constantB ? "[" + k + ", N]" : "[n, " + k + ", N]"));
        }
        int[] expected = as.clone();
        expected[expected.length - 1] = n;
        requireShape(node, y, expected);
        if (a.type() == DataType.FLOAT32 && b.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32) {
            return;
        }
        if (!(constantB && a.type() == DataType.INT8 && b.type() == DataType.INT8 && y.type() == DataType.INT8)) {
            throw fail(node, "no MATMUL kernel for A " + a.type() + ", B " + b.type() + (constantB ? " constant" : " activation")
                    + ", output " + y.type() + " (supported: all FLOAT32; or INT8 with a constant INT8 B)");
        }
        Quantization bq = b.quantization();
        if (bq == null || !(bq.isPerTensor() || bq.axis() == 1) || Arrays.stream(bq.zeroPoints()).anyMatch(z -> z != 0)) {
            throw fail(node, "int8 B " + b.name() + " needs symmetric per-tensor or per-column (axis 1) quantization, has " + bq);
        }
        for (byte v : b.bytes()) {
            if (v == Byte.MIN_VALUE) {
                throw fail(node, "int8 B " + b.name() + " holds -128; weights must be in [-127, 127]");
            }
        }
        if (k > MAX_INT8_FC_INPUTS) {
            throw fail(node, "K = " + k + " could overflow the int32 accumulator (max " + MAX_INT8_FC_INPUTS + ")");
        }
    }

    private void checkDynamic(Node node, Tensor x, Tensor y) {
        Tensor w = constant(node, 1);
        Tensor b = node.inputs().size() == 3 ? constant(node, 2) : null;
        int[] xs = x.shape();
        int[] ws = w.shape();
        if (x.type() != DataType.FLOAT32 || y.type() != DataType.FLOAT32 || w.type() != DataType.INT8
                || (b != null && b.type() != DataType.FLOAT32)) {
            throw fail(node, "FULLY_CONNECTED_DYNAMIC takes FLOAT32 input and output, INT8 weights and a FLOAT32 bias, has "
                    + x.type() + ", " + y.type() + ", " + w.type() + ", " + (b == null ? "no bias" : b.type()));
        }
        if (ws.length != 2 || xs.length != 2 || xs[1] != ws[1]) {
            throw fail(node, "shapes do not fit: input " + x.name() + " " + Arrays.toString(xs) + ", weights " + w.name() + " "
                    + Arrays.toString(ws) + " (expected [n, in], [out, in])");
        }
        requireShape(node, y, new int[] {-1, ws[0]});
        requireBiasShape(node, b, ws[0]);
        checkInt8Weights(node, w, ws[1]);
    }

    private void checkBatchNorm(Node node, Tensor x, Tensor y) {
        requireTypes(node, x.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32, x, y);
        requireSameSample(node, x, y);
        int[] xs = x.shape();
        if (xs.length < 2) {
            throw fail(node, "input " + x.name() + " has no channel axis");
        }
        float epsilon = NodeAttributes.real(node, "epsilon", 1e-5f);
        String[] roles = {"scale", "bias", "mean", "variance"};
        for (int i = 1; i < 5; i++) {
            Tensor t = constant(node, i);
            requireTensor(node, t, roles[i - 1], DataType.FLOAT32, new int[] {xs[1]});
            if (i == 4) {
                for (float v : t.floats()) {
                    if (!(v >= 0) || !(v + epsilon > 0)) {
                        throw fail(node, "variance " + t.name() + " holds " + v + "; with epsilon " + epsilon + " it must be positive");
                    }
                }
            }
        }
    }

    private static int[] requireRank(Node node, Tensor t, int rank, String form) {
        if (t.shape().length != rank) {
            throw fail(node, "tensor " + t.name() + " " + Arrays.toString(t.shape()) + " is not " + form);
        }
        return t.shape();
    }

    private static void requireShape(Node node, Tensor y, int[] expected) {
        int[] ys = y.shape();
        if (!Arrays.equals(ys, 1, ys.length, expected, 1, expected.length) || ys.length != expected.length) {
            expected[0] = ys.length > 0 ? ys[0] : -1;
            throw fail(node, "output " + y.name() + " shape " + Arrays.toString(ys) + " should be " + Arrays.toString(expected));
        }
    }

    private static void requireSameQuantization(Node node, Tensor x, Tensor y, String why) {
        if (x.type() == DataType.INT8 && !x.quantization().equals(y.quantization())) {
            throw fail(node, why + ": " + x.name() + " has " + x.quantization() + ", " + y.name() + " " + y.quantization());
        }
    }

    private static void requireTypes(Node node, boolean supported, Tensor x, Tensor y) {
        if (!supported) {
            throw fail(node, "no " + node.op() + " kernel from " + x.type() + " (" + x.name() + ") to "
                    + y.type() + " (" + y.name() + ")");
        }
    }

    private static void requireSameSample(Node node, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int[] ys = y.shape();
        if (!Arrays.equals(xs, 1, xs.length, ys, 1, ys.length)) {
            throw fail(node, "output " + y.name() + " shape " + Arrays.toString(ys) + " does not match input "
                    + x.name() + " shape " + Arrays.toString(xs) + " (the batch dimension aside)");
        }
    }

    private static InvalidGraphException fail(Node node, String message) {
        return NodeAttributes.fail(node, message);
    }
}
