package dev.pipit.compress.security.evasion;

import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Layer;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A variant's final graph as a float {@link Network} an attacker can differentiate: int8 weights and
 * biases dequantized exactly, QUANTIZE/DEQUANTIZE removed, and every int8 activation a conv, fc or ReLU
 * writes (and the quantized input) rounded to its grid on the way forward and passed straight through
 * on the way back ({@link StraightThroughQuant}). The white-box attack on a defended variant's own
 * weights runs on this.
 */
public final class VariantNetwork {

    private VariantNetwork() {
    }

    /** @throws IllegalArgumentException naming what cannot be lowered (compressed weight formats, other operators) */
    public static Network lower(Graph graph) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("only single-input, single-output graphs can be lowered");
        }
        Map<String, String> alias = new HashMap<>();
        Map<String, Quantization> rounded = new HashMap<>();
        List<Tensor> floats = new ArrayList<>(List.of(tensors.get(graph.inputs().get(0))));
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            String in = alias.getOrDefault(n.inputs().get(0), n.inputs().get(0));
            String out = n.outputs().get(0);
            Tensor y = tensors.get(out);
            switch (n.op()) {
                case QUANTIZE -> {
                    alias.put(out, in);
                    rounded.put(in, y.quantization());
                }
                case DEQUANTIZE -> alias.put(out, in);
                case CONV_2D, FULLY_CONNECTED -> {
                    String format = n.attributes().getOrDefault("weight_format", "dense");
                    if (!format.equals("dense")) {
                        throw new IllegalArgumentException("node " + n.name() + ": " + format + " weights cannot be lowered");
                    }
                    List<String> inputs = new ArrayList<>(List.of(in));
                    for (String c : n.inputs().subList(1, n.inputs().size())) {
                        floats.add(dequantized(tensors.get(c)));
                        inputs.add(c);
                    }
                    nodes.add(new Node(n.name(), n.op(), inputs, List.of(out), n.attributes()));
                    floats.add(Tensor.activation(out, DataType.FLOAT32, y.shape(), null));
                    if (y.type() == DataType.INT8) {
                        rounded.put(out, y.quantization());
                    }
                }
                case RELU, MAX_POOL, FLATTEN, RESHAPE -> {
                    List<String> inputs = new ArrayList<>(List.of(in));
                    for (String c : n.inputs().subList(1, n.inputs().size())) {
                        floats.add(tensors.get(c));
                        inputs.add(c);
                    }
                    nodes.add(new Node(n.name(), n.op(), inputs, List.of(out), n.attributes()));
                    floats.add(Tensor.activation(out, DataType.FLOAT32, y.shape(), null));
                    if (n.op() == OpType.RELU && y.type() == DataType.INT8) {
                        rounded.put(out, y.quantization());
                    }
                }
                default -> throw new IllegalArgumentException("node " + n.name() + ": " + n.op() + " cannot be lowered");
            }
        }
        String output = alias.getOrDefault(graph.outputs().get(0), graph.outputs().get(0));
        Graph fp32 = new Graph(floats, nodes, graph.inputs(), List.of(output));
        return withRounding(fp32, GraphLowering.fromGraph(fp32), rounded);
    }

    /** {@code net} (lifted from {@code fp32}) with a straight-through rounding after every layer whose output was int8. */
    private static Network withRounding(Graph fp32, Network net, Map<String, Quantization> rounded) {
        List<Layer> source = net.layers();
        List<Layer> layers = new ArrayList<>();
        Quantization input = rounded.get(fp32.inputs().get(0));
        if (input != null) {
            layers.add(new StraightThroughQuant(net.inputShape(), input.scale(), input.zeroPoint()));
        }
        int next = 0;
        for (Node n : fp32.nodes()) {
            int count = switch (n.op()) { // layers GraphLowering.fromGraph makes of this node
                case CONV_2D, FULLY_CONNECTED -> n.activation() == Activation.RELU ? 2 : 1;
                case FLATTEN, RESHAPE -> 0;
                default -> 1;
            };
            layers.addAll(source.subList(next, next + count));
            next += count;
            Quantization q = rounded.get(n.outputs().get(0));
            if (q != null) {
                layers.add(new StraightThroughQuant(source.get(next - 1).outputShape(), q.scale(), q.zeroPoint()));
            }
        }
        return new Network(net.inputShape(), layers);
    }

    private static Tensor dequantized(Tensor t) {
        if (t.type() == DataType.FLOAT32) {
            return t;
        }
        Quantization q = t.quantization();
        if ((!q.isPerTensor() && q.axis() != 0) || Arrays.stream(q.zeroPoints()).anyMatch(z -> z != 0)) {
            throw new IllegalArgumentException("tensor " + t.name() + ": only symmetric per-tensor or per-output-channel "
                    + "constants can be dequantized");
        }
        float[] values = new float[(int) t.elementCount()];
        if (t.type() == DataType.INT8) {
            byte[] b = t.bytes();
            for (int i = 0; i < b.length; i++) {
                values[i] = b[i] * scale(q, i, values.length);
            }
        } else if (t.type() == DataType.INT32) {
            int[] v = t.ints();
            for (int i = 0; i < v.length; i++) {
                values[i] = (float) ((double) v[i] * scale(q, i, values.length));
            }
        } else {
            throw new IllegalArgumentException("tensor " + t.name() + " of type " + t.type() + " cannot be dequantized");
        }
        return Tensor.constant(t.name(), values, t.shape());
    }

    /** The scale of element {@code i} of {@code count}, quantized per tensor or per channel along axis 0. */
    private static float scale(Quantization q, int i, int count) {
        return q.isPerTensor() ? q.scale() : q.scales()[i / (count / q.scales().length)];
    }
}
