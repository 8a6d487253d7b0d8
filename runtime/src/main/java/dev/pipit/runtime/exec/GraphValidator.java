package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a graph before anything is planned or run: dataflow (every tensor exists and is produced once,
 * before it is read), one fp32 input and output, and per operator the data types, shapes and
 * quantization its kernel needs. Every failure names the node or tensor at fault.
 */
final class GraphValidator {

    /** Largest FC input width whose int8 accumulator cannot overflow: in · 127 · 255 < 2^31. */
    static final int MAX_INT8_FC_INPUTS = Integer.MAX_VALUE / (127 * 255);

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
        boolean fc = node.op() == OpType.FULLY_CONNECTED;
        int inputs = node.inputs().size();
        if (node.outputs().size() != 1 || (fc ? inputs < 2 || inputs > 3 : inputs != 1)) {
            throw fail(node, node.op() + " takes " + (fc ? "2 or 3 inputs" : "1 input") + " and 1 output, has "
                    + node.inputs() + " and " + node.outputs());
        }
        if (!fc && node.attributes().containsKey("activation")) {
            throw fail(node, "only FULLY_CONNECTED takes an activation attribute");
        }
        Tensor x = activation(node, node.inputs().get(0));
        Tensor y = activation(node, node.outputs().get(0));
        switch (node.op()) {
            case FULLY_CONNECTED -> checkFullyConnected(node, x, y);
            case RELU -> {
                requireTypes(node, x.type() == y.type(), x, y);
                requireSameSample(node, x, y);
            }
            case SOFTMAX -> {
                requireTypes(node, x.type() == DataType.FLOAT32 && y.type() == DataType.FLOAT32, x, y);
                requireSameSample(node, x, y);
                if (x.shape().length < 2) {
                    throw fail(node, "softmax needs a feature axis after the batch axis, input " + x.name()
                            + " has shape " + Arrays.toString(x.shape()));
                }
            }
            case FLATTEN -> {
                requireTypes(node, x.type() == y.type(), x, y);
                if (y.shape().length != 2 || y.shape()[1] != x.elementsPerSample()) {
                    throw fail(node, "output " + y.name() + " shape " + Arrays.toString(y.shape())
                            + " is not [batch, " + x.elementsPerSample() + "]");
                }
                if (x.type() == DataType.INT8 && !x.quantization().equals(y.quantization())) {
                    throw fail(node, "a flattened int8 tensor keeps its quantization");
                }
            }
            case QUANTIZE -> {
                requireTypes(node, x.type() == DataType.FLOAT32 && y.type() == DataType.INT8, x, y);
                requireSameSample(node, x, y);
            }
            case DEQUANTIZE -> {
                requireTypes(node, x.type() == DataType.INT8 && y.type() == DataType.FLOAT32, x, y);
                requireSameSample(node, x, y);
            }
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
            Quantization q = t.quantization();
            if (q == null || !q.isPerTensor()) {
                throw fail(node, "int8 activation " + name + " needs a per-tensor quantization, has " + q);
            }
            if (q.zeroPoint() < -128 || q.zeroPoint() > 127) {
                throw fail(node, "int8 activation " + name + " has zero point " + q.zeroPoint() + " outside [-128, 127]");
            }
        }
        return t;
    }

    private void checkFullyConnected(Node node, Tensor x, Tensor y) {
        try {
            node.activation();
        } catch (IllegalArgumentException e) {
            throw fail(node, "unknown activation " + node.attributes().get("activation") + " (supported: NONE, RELU)");
        }
        Tensor w = tensors.get(node.inputs().get(1));
        Tensor b = node.inputs().size() == 3 ? tensors.get(node.inputs().get(2)) : null;
        if (!w.isConstant() || (b != null && !b.isConstant())) {
            throw fail(node, "weights and bias must be constants");
        }
        int[] ws = w.shape();
        if (ws.length != 2 || x.shape().length != 2 || y.shape().length != 2
                || x.shape()[1] != ws[1] || y.shape()[1] != ws[0]) {
            throw fail(node, "shapes do not fit: input " + x.name() + " " + Arrays.toString(x.shape())
                    + ", weights " + w.name() + " " + Arrays.toString(ws) + ", output " + y.name() + " "
                    + Arrays.toString(y.shape()) + " (expected [n, in], [out, in], [n, out])");
        }
        if (b != null && (b.shape().length != 1 || b.shape()[0] != ws[0])) {
            throw fail(node, "bias " + b.name() + " has shape " + Arrays.toString(b.shape()) + ", expected [" + ws[0] + "]");
        }
        boolean fp32 = x.type() == DataType.FLOAT32 && w.type() == DataType.FLOAT32
                && (b == null || b.type() == DataType.FLOAT32) && y.type() == DataType.FLOAT32;
        boolean int8 = x.type() == DataType.INT8 && w.type() == DataType.INT8
                && (b == null || b.type() == DataType.INT32) && y.type() == DataType.INT8;
        if (!fp32 && !int8) {
            throw fail(node, "no FULLY_CONNECTED kernel for input " + x.type() + ", weights " + w.type()
                    + ", bias " + (b == null ? "none" : b.type()) + ", output " + y.type()
                    + " (supported: all FLOAT32; or INT8, INT8, INT32, INT8)");
        }
        if (int8) {
            checkInt8Weights(node, x, w, b);
        }
    }

    private void checkInt8Weights(Node node, Tensor x, Tensor w, Tensor b) {
        Quantization wq = w.quantization();
        if (wq == null || !(wq.isPerTensor() || wq.axis() == 0)) {
            throw fail(node, "int8 weights " + w.name() + " need per-tensor or per-output-channel (axis 0) quantization, have " + wq);
        }
        if (Arrays.stream(wq.zeroPoints()).anyMatch(z -> z != 0)) {
            throw fail(node, "int8 weights " + w.name() + " must be symmetric (zero points 0)");
        }
        for (byte v : w.bytes()) {
            if (v == Byte.MIN_VALUE) {
                throw fail(node, "int8 weights " + w.name() + " hold -128; weights must be in [-127, 127]");
            }
        }
        if (w.shape()[1] > MAX_INT8_FC_INPUTS) {
            throw fail(node, "input width " + w.shape()[1] + " could overflow the int32 accumulator (max "
                    + MAX_INT8_FC_INPUTS + ")");
        }
        if (b == null) {
            return;
        }
        Quantization bq = b.quantization();
        if (bq == null) {
            throw fail(node, "int32 bias " + b.name() + " has no quantization");
        }
        float[] weightScales = wq.scales();
        float[] biasScales = bq.scales();
        for (int c = 0; c < w.shape()[0]; c++) {
            double expected = (double) x.quantization().scale() * weightScales[wq.isPerTensor() ? 0 : c];
            double actual = biasScales[bq.isPerTensor() ? 0 : c];
            if (Math.abs(actual - expected) > 1e-5 * expected || bq.zeroPoints()[bq.isPerTensor() ? 0 : c] != 0) {
                throw fail(node, "bias " + b.name() + " channel " + c + " has scale " + actual + " and zero point "
                        + bq.zeroPoints()[bq.isPerTensor() ? 0 : c] + "; expected input scale × weight scale = "
                        + expected + " and 0");
            }
        }
    }

    private void requireTypes(Node node, boolean supported, Tensor x, Tensor y) {
        if (!supported) {
            throw fail(node, "no " + node.op() + " kernel from " + x.type() + " (" + x.name() + ") to "
                    + y.type() + " (" + y.name() + ")");
        }
    }

    private void requireSameSample(Node node, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int[] ys = y.shape();
        if (!Arrays.equals(xs, 1, xs.length, ys, 1, ys.length)) {
            throw fail(node, "output " + y.name() + " shape " + Arrays.toString(ys) + " does not match input "
                    + x.name() + " shape " + Arrays.toString(xs) + " (the batch dimension aside)");
        }
    }

    private static InvalidGraphException fail(Node node, String message) {
        return new InvalidGraphException("node " + node.name() + " (" + node.op() + "): " + message);
    }
}
