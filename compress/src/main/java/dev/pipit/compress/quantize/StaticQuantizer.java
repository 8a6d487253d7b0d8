package dev.pipit.compress.quantize;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training static int8 quantization in the TFLite scheme. Activation ranges come from calibration
 * ({@link Calibrator}); weights are symmetric int8 in [-127, 127] ({@link WeightQuantizer}, per output
 * channel by default); biases int32 at {@code inputScale * weightScale[c]}.
 *
 * <p>The result follows the runtime's convention: fp32 input → QUANTIZE → int8 FULLY_CONNECTED / CONV_2D
 * with fused ReLU, int8 pooling, flatten, add … → DEQUANTIZE → fp32 output. Pooling, FLATTEN and RESHAPE
 * keep their input's quantization (the runtime requires it for pooling). Operators without an int8
 * kernel (SOFTMAX, BATCH_NORMALIZATION) stay fp32 with DEQUANTIZE/QUANTIZE around them.
 */
public final class StaticQuantizer {

    /** Operators whose int8 output has the input's quantization. */
    private static final Set<OpType> PASS_THROUGH = Set.of(OpType.FLATTEN, OpType.RESHAPE, OpType.MAX_POOL, OpType.AVERAGE_POOL);
    /** Operators computed in int8 with a calibrated output range. */
    private static final Set<OpType> REQUANTIZING = Set.of(OpType.RELU, OpType.RELU6, OpType.CLIP, OpType.LEAKY_RELU,
            OpType.ADD, OpType.GLOBAL_AVERAGE_POOL, OpType.CONCAT);

    private final Graph source;
    private final Map<String, Tensor> sourceTensors;
    private final Map<String, Range> ranges;
    private final WeightQuantizer weights;
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> int8Names = new HashMap<>();
    private final Map<String, String> fp32Names = new HashMap<>();
    private final Map<String, Quantization> quantizations = new HashMap<>();

    private StaticQuantizer(Graph source, Map<String, Range> ranges, WeightQuantizer weights) {
        this.source = source;
        this.sourceTensors = source.tensorsByName();
        this.ranges = ranges;
        this.weights = weights;
    }

    /**
     * Quantizes {@code graph} with min-max ranges calibrated on {@code count} samples in
     * {@code calibration} (row-major, one input sample after another).
     */
    public static Graph quantize(Graph graph, float[] calibration, int count) {
        return quantize(graph, Calibrator.minMax(graph, calibration, count), WeightQuantizer.perChannel());
    }

    /** Quantizes {@code graph} with the given activation ranges (by source tensor name). */
    public static Graph quantize(Graph graph, Map<String, Range> ranges, WeightQuantizer weights) {
        return new StaticQuantizer(graph, ranges, weights).build();
    }

    /** The int8 parameters an activation range gets (asymmetric, per tensor, zero exactly representable). */
    public static Quantization activationQuantization(Range range) {
        return Int8Math.activation(range);
    }

    /** The tensors whose ranges the quantizer reads: the input and every requantizing node's output. */
    public static List<String> calibratedTensors(Graph graph) {
        List<String> names = new ArrayList<>(graph.inputs());
        for (Node n : graph.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D || REQUANTIZING.contains(n.op())) {
                names.add(n.outputs().get(0));
            }
        }
        return names;
    }

    private Graph build() {
        for (String in : source.inputs()) {
            tensors.add(sourceTensors.get(in));
            fp32Names.put(in, in);
        }
        for (Node n : source.nodes()) {
            if ((n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D)
                    && sourceTensors.get(n.inputs().get(1)).type() == DataType.FLOAT32) {
                layer(n);
            } else if (PASS_THROUGH.contains(n.op())) {
                String out = n.outputs().get(0);
                Quantization q = quantizationOf(n.inputs().get(0));
                quantizations.put(out, q);
                String y = int8Output(out, q);
                nodes.add(new Node(n.name(), n.op(), List.of(int8(n.inputs().get(0))), List.of(y), n.attributes()));
            } else if (REQUANTIZING.contains(n.op())) {
                List<String> ins = new ArrayList<>();
                for (String in : n.inputs()) {
                    ins.add(sourceTensors.get(in).isConstant() ? constantInt8(in) : int8(in));
                }
                String out = n.outputs().get(0);
                String y = int8Output(out, quantizationOf(out));
                nodes.add(new Node(n.name(), n.op(), ins, List.of(y), n.attributes()));
            } else if (n.op() == OpType.SOFTMAX || n.op() == OpType.BATCH_NORMALIZATION) {
                List<String> ins = new ArrayList<>(List.of(fp32(n.inputs().get(0))));
                for (String c : n.inputs().subList(1, n.inputs().size())) {
                    tensors.add(sourceTensors.get(c));
                    ins.add(c);
                }
                String out = n.outputs().get(0);
                nodes.add(new Node(n.name(), n.op(), ins, List.of(out), n.attributes()));
                tensors.add(sourceTensors.get(out));
                fp32Names.put(out, out);
            } else {
                throw new IllegalArgumentException("node " + n.name() + ": " + n.op()
                        + " cannot be quantized (is the graph fp32?)");
            }
        }
        for (String out : source.outputs()) {
            if (!fp32(out).equals(out)) {
                throw new IllegalStateException("output " + out + " was renamed");
            }
        }
        return new Graph(tensors, nodes, source.inputs(), source.outputs());
    }

    private void layer(Node n) {
        String x = int8(n.inputs().get(0));
        Quantization inQ = quantizationOf(n.inputs().get(0));
        Tensor weight = sourceTensors.get(n.inputs().get(1));
        int[] shape = weight.shape();
        int out = shape[0];
        float[] w = weight.floats();
        int cols = w.length / out;
        byte[] q = new byte[w.length];
        float[] scales = weights.quantize(w, out, cols, q);
        tensors.add(Tensor.constant(weight.name(), q, Quantization.perChannel(scales, 0), shape));
        List<String> inputs = new ArrayList<>(List.of(x, weight.name()));
        if (n.inputs().size() > 2) {
            Tensor bias = sourceTensors.get(n.inputs().get(2));
            float[] b = bias.floats();
            float[] biasScales = new float[out];
            int[] qb = new int[out];
            for (int c = 0; c < out; c++) {
                biasScales[c] = inQ.scale() * scales[c];
                qb[c] = Int8Math.quantizeBias(b[c], (double) inQ.scale() * scales[c]);
            }
            tensors.add(Tensor.constant(bias.name(), qb, Quantization.perChannel(biasScales, 0), out));
            inputs.add(bias.name());
        }
        String y = n.outputs().get(0);
        Map<String, String> attributes = new HashMap<>(n.attributes());
        attributes.putIfAbsent("activation", Activation.NONE.name());
        String yq = int8Output(y, quantizationOf(y));
        nodes.add(new Node(n.name(), n.op(), inputs, List.of(yq), attributes));
    }

    /** Declares the int8 form of source tensor {@code y}, renamed when it is a graph output (which stays fp32). */
    private String int8Output(String y, Quantization q) {
        String yq = source.outputs().contains(y) ? y + ".q" : y;
        tensors.add(Tensor.activation(yq, DataType.INT8, sourceTensors.get(y).shape(), q));
        int8Names.put(y, yq);
        return yq;
    }

    /** A constant operand (e.g. of ADD) quantized per tensor over its own range. */
    private String constantInt8(String name) {
        Tensor c = sourceTensors.get(name);
        float[] v = c.floats();
        Quantization q = Int8Math.activation(Range.of(v));
        byte[] data = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            long r = Int8Math.roundHalfAway(v[i] / q.scale()) + q.zeroPoint();
            data[i] = (byte) Math.max(-128, Math.min(127, r));
        }
        tensors.add(Tensor.constant(name, data, q, c.shape()));
        return name;
    }

    /** The int8 form of a source tensor, quantizing its fp32 form the first time it is needed. */
    private String int8(String tensor) {
        String existing = int8Names.get(tensor);
        if (existing != null) {
            return existing;
        }
        String q = tensor + ".q";
        tensors.add(Tensor.activation(q, DataType.INT8, sourceTensors.get(tensor).shape(), quantizationOf(tensor)));
        nodes.add(new Node(tensor + "/quantize", OpType.QUANTIZE, List.of(fp32(tensor)), List.of(q)));
        int8Names.put(tensor, q);
        return q;
    }

    /** The fp32 form of a source tensor, dequantizing its int8 form the first time it is needed. */
    private String fp32(String tensor) {
        String existing = fp32Names.get(tensor);
        if (existing != null) {
            return existing;
        }
        String f = source.outputs().contains(tensor) ? tensor : tensor + ".f";
        tensors.add(Tensor.activation(f, DataType.FLOAT32, sourceTensors.get(tensor).shape(), null));
        nodes.add(new Node(tensor + "/dequantize", OpType.DEQUANTIZE, List.of(int8Names.get(tensor)), List.of(f)));
        fp32Names.put(tensor, f);
        return f;
    }

    private Quantization quantizationOf(String tensor) {
        Quantization inherited = quantizations.get(tensor);
        if (inherited != null) {
            return inherited;
        }
        Range r = ranges.get(tensor);
        if (r == null) {
            throw new IllegalStateException("no calibration range for " + tensor);
        }
        return Int8Math.activation(r);
    }
}
