package dev.pipit.compress.train;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between a trainable {@link Network} and the runtime's fp32 {@link Graph}. Lowering fuses each
 * ReLU into the convolution or fully-connected layer before it and inserts a FLATTEN before the first
 * fully-connected layer that reads an image; tensors are named after the layers ({@code conv1.out},
 * {@code pool1.out}, {@code fc1.out}, …, {@code logits}). Lifting accepts the sequential graphs the
 * ONNX importer produces for CNNs and MLPs.
 */
public final class GraphLowering {

    private GraphLowering() {
    }

    /**
     * The graph tensor that holds each layer's output (a ReLU shares the name of the layer it is fused
     * into), in layer order.
     */
    public static List<String> outputNames(Network net) {
        List<String> bases = layerNames(net);
        List<String> names = new ArrayList<>();
        for (int l = 0; l < bases.size(); l++) {
            names.add(writesLast(net.layers(), l) ? "logits" : bases.get(l) + ".out");
        }
        return names;
    }

    /** Each layer's node name: conv1, pool1, fc1, …; a fused ReLU takes its layer's name. */
    static List<String> layerNames(Network net) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> counters = new HashMap<>();
        List<Layer> layers = net.layers();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            if (isFused(layers, l)) {
                names.add(names.get(l - 1));
            } else {
                String kind = layer instanceof Conv2d ? "conv" : layer instanceof Dense ? "fc"
                        : layer instanceof MaxPool ? "pool" : layer instanceof Relu ? "relu" : "layer";
                names.add(kind + counters.merge(kind, 1, Integer::sum));
            }
        }
        return names;
    }

    private static boolean isFused(List<Layer> layers, int l) {
        return layers.get(l) instanceof Relu && l > 0 && layers.get(l - 1) instanceof WeightedLayer;
    }

    /** The last layer's output: a fused ReLU's layer writes the logits. */
    private static boolean writesLast(List<Layer> layers, int l) {
        return l == layers.size() - 1 || (l == layers.size() - 2 && isFused(layers, l + 1));
    }

    public static Graph toGraph(Network net) {
        List<Tensor> tensors = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        int[] shape = net.inputShape();
        tensors.add(Tensor.activation("input", DataType.FLOAT32, batched(shape), null));
        List<String> bases = layerNames(net);
        List<Layer> layers = net.layers();
        String x = "input";
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            if (isFused(layers, l)) {
                continue;
            }
            String node = bases.get(l);
            String out = writesLast(layers, l) ? "logits" : node + ".out";
            boolean fuseRelu = l + 1 < layers.size() && isFused(layers, l + 1);
            Map<String, String> attributes = new HashMap<>();
            if (fuseRelu) {
                attributes.put("activation", Activation.RELU.name());
            }
            if (layer instanceof Conv2d c) {
                tensors.add(Tensor.constant(node + ".weight", c.weight.clone(), c.rows, c.inChannels, c.kernel, c.kernel));
                tensors.add(Tensor.constant(node + ".bias", c.bias.clone(), c.rows));
                attributes.put("strides", c.stride + "," + c.stride);
                attributes.put("pads", c.pad + "," + c.pad + "," + c.pad + "," + c.pad);
                attributes.put("kernel_shape", c.kernel + "," + c.kernel);
                nodes.add(new Node(node, OpType.CONV_2D, List.of(x, node + ".weight", node + ".bias"), List.of(out), attributes));
            } else if (layer instanceof MaxPool p) {
                attributes.put("kernel_shape", p.kernel + "," + p.kernel);
                attributes.put("strides", p.stride + "," + p.stride);
                nodes.add(new Node(node, OpType.MAX_POOL, List.of(x), List.of(out), attributes));
            } else if (layer instanceof Dense d) {
                if (shape.length > 1) {
                    String flat = "flatten.out";
                    tensors.add(Tensor.activation(flat, DataType.FLOAT32, new int[] {-1, d.cols}, null));
                    nodes.add(new Node("flatten", OpType.FLATTEN, List.of(x), List.of(flat)));
                    x = flat;
                }
                tensors.add(Tensor.constant(node + ".weight", d.weight.clone(), d.rows, d.cols));
                tensors.add(Tensor.constant(node + ".bias", d.bias.clone(), d.rows));
                attributes.putIfAbsent("activation", Activation.NONE.name());
                nodes.add(new Node(node, OpType.FULLY_CONNECTED, List.of(x, node + ".weight", node + ".bias"),
                        List.of(out), attributes));
            } else if (layer instanceof Relu) {
                nodes.add(new Node(node, OpType.RELU, List.of(x), List.of(out)));
            } else {
                throw new IllegalArgumentException("cannot lower " + layer.getClass().getSimpleName() + " to a graph");
            }
            shape = layer.outputShape();
            tensors.add(Tensor.activation(out, DataType.FLOAT32, batched(shape), null));
            x = out;
        }
        return new Graph(tensors, nodes, List.of("input"), List.of(x));
    }

    /**
     * The trainable form of a sequential fp32 graph: CONV_2D (one group, square kernel, equal strides
     * and pads, no dilation), MAX_POOL (square, no padding), FLATTEN or RESHAPE to {@code [n, rest]},
     * FULLY_CONNECTED and RELU, each reading the previous node's output.
     *
     * @throws IllegalArgumentException naming the node that does not fit
     */
    public static Network fromGraph(Graph graph) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("only single-input, single-output graphs can be fine-tuned");
        }
        int[] inputShape = tensors.get(graph.inputs().get(0)).shape();
        int[] shape = Arrays.copyOfRange(inputShape, 1, inputShape.length);
        int[] sampleShape = shape.clone();
        List<Layer> layers = new ArrayList<>();
        String x = graph.inputs().get(0);
        for (Node n : graph.nodes()) {
            if (!n.inputs().get(0).equals(x)) {
                throw new IllegalArgumentException("node " + n.name() + " does not read the previous node's output: "
                        + "only sequential graphs can be fine-tuned");
            }
            switch (n.op()) {
                case CONV_2D -> {
                    Tensor w = tensors.get(n.inputs().get(1));
                    int[] ws = w.shape();
                    int[] strides = ints(n, "strides", 1, 1);
                    int[] pads = ints(n, "pads", 0, 0, 0, 0);
                    int[] dilations = ints(n, "dilations", 1, 1);
                    if (w.type() != DataType.FLOAT32 || ws.length != 4 || ws[2] != ws[3] || strides[0] != strides[1]
                            || Arrays.stream(pads).distinct().count() != 1 || dilations[0] != 1 || dilations[1] != 1
                            || !"1".equals(n.attributes().getOrDefault("group", "1")) || shape.length != 3) {
                        throw new IllegalArgumentException("node " + n.name() + ": only fp32 square, ungrouped, undilated "
                                + "convolutions with equal strides and pads can be fine-tuned");
                    }
                    float[] bias = n.inputs().size() > 2 ? tensors.get(n.inputs().get(2)).floats() : new float[ws[0]];
                    Conv2d c = new Conv2d(shape, ws[0], ws[2], strides[0], pads[0], w.floats(), bias);
                    layers.add(c);
                    shape = c.outputShape();
                    shape = relu(n, layers, shape);
                }
                case MAX_POOL -> {
                    int[] k = ints(n, "kernel_shape");
                    int[] s = ints(n, "strides", 1, 1);
                    int[] pads = ints(n, "pads", 0, 0, 0, 0);
                    if (k[0] != k[1] || s[0] != s[1] || Arrays.stream(pads).anyMatch(p -> p != 0)) {
                        throw new IllegalArgumentException("node " + n.name() + ": only square unpadded max pooling can be fine-tuned");
                    }
                    MaxPool p = new MaxPool(shape, k[0], s[0]);
                    layers.add(p);
                    shape = p.outputShape();
                }
                case FLATTEN, RESHAPE -> {
                    int[] out = tensors.get(n.outputs().get(0)).shape();
                    if (out.length != 2) {
                        throw new IllegalArgumentException("node " + n.name() + ": only a flatten to [n, rest] can be fine-tuned");
                    }
                    shape = new int[] {out[1]};
                }
                case FULLY_CONNECTED -> {
                    Tensor w = tensors.get(n.inputs().get(1));
                    if (w.type() != DataType.FLOAT32 || !"dense".equals(n.attributes().getOrDefault("weight_format", "dense"))) {
                        throw new IllegalArgumentException("node " + n.name() + " is not an fp32 dense layer");
                    }
                    int[] ws = w.shape();
                    float[] bias = n.inputs().size() > 2 ? tensors.get(n.inputs().get(2)).floats() : new float[ws[0]];
                    Dense d = new Dense(ws[1], ws[0], w.floats(), bias);
                    layers.add(d);
                    shape = relu(n, layers, d.outputShape());
                }
                case RELU -> {
                    layers.add(new Relu(shape));
                }
                default -> throw new IllegalArgumentException("node " + n.name() + ": " + n.op() + " cannot be fine-tuned");
            }
            x = n.outputs().get(0);
        }
        return new Network(sampleShape, layers);
    }

    private static int[] relu(Node n, List<Layer> layers, int[] shape) {
        Activation a = n.activation();
        if (a == Activation.RELU) {
            layers.add(new Relu(shape));
        } else if (a != Activation.NONE) {
            throw new IllegalArgumentException("node " + n.name() + ": activation " + a + " cannot be fine-tuned");
        }
        return shape;
    }

    private static int[] ints(Node n, String attribute, int... fallback) {
        String v = n.attributes().get(attribute);
        if (v == null) {
            if (fallback.length == 0) {
                throw new IllegalArgumentException("node " + n.name() + " lacks attribute " + attribute);
            }
            return fallback;
        }
        return Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static int[] batched(int[] shape) {
        int[] b = new int[shape.length + 1];
        b[0] = -1;
        System.arraycopy(shape, 0, b, 1, shape.length);
        return b;
    }
}
