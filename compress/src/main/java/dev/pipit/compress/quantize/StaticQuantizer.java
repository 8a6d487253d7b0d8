package dev.pipit.compress.quantize;

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

/**
 * Post-training static int8 quantization in the TFLite scheme. Activation ranges are calibrated
 * (min-max per tensor) by running the fp32 graph on sample inputs; weights are quantized per output
 * channel, symmetric, in [-127, 127]; biases to int32 at {@code inputScale * weightScale[c]}.
 *
 * <p>The result follows the runtime's convention: fp32 input → (FLATTEN) → QUANTIZE → int8
 * FULLY_CONNECTED with fused ReLU … → DEQUANTIZE → fp32 output. Operators without an int8 kernel
 * (SOFTMAX, a standalone RELU) stay fp32 with DEQUANTIZE/QUANTIZE around them.
 */
public final class StaticQuantizer {

    private static final int CALIBRATION_BATCH = 100;

    private final Graph source;
    private final Map<String, Tensor> sourceTensors;
    private final Map<String, Range> ranges;
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> int8Names = new HashMap<>();
    private final Map<String, String> fp32Names = new HashMap<>();

    private StaticQuantizer(Graph source, Map<String, Range> ranges) {
        this.source = source;
        this.sourceTensors = source.tensorsByName();
        this.ranges = ranges;
    }

    /**
     * Quantizes {@code graph} with ranges calibrated on {@code count} samples in {@code calibration}
     * (row-major, one input sample after another).
     */
    public static Graph quantize(Graph graph, float[] calibration, int count) {
        return new StaticQuantizer(graph, calibrate(graph, calibration, count)).build();
    }

    /** Min-max range of every tensor the graph computes, over all calibration samples. */
    public static Map<String, Range> calibrate(Graph graph, float[] calibration, int count) {
        if (count < 1 || calibration.length % count != 0) {
            throw new IllegalArgumentException("calibration holds " + calibration.length + " floats, not "
                    + count + " equal samples");
        }
        int size = calibration.length / count;
        Map<String, Range> ranges = new LinkedHashMap<>();
        for (int start = 0; start < count; start += CALIBRATION_BATCH) {
            int n = Math.min(CALIBRATION_BATCH, count - start);
            float[] batch = Arrays.copyOfRange(calibration, start * size, (start + n) * size);
            FloatReference.run(graph, batch, n, (tensor, values) -> ranges.merge(tensor, Range.of(values), Range::union));
        }
        return ranges;
    }

    private Graph build() {
        for (String in : source.inputs()) {
            Tensor t = sourceTensors.get(in);
            tensors.add(t);
            fp32Names.put(in, in);
        }
        for (Node n : source.nodes()) {
            switch (n.op()) {
                case FULLY_CONNECTED -> fullyConnected(n);
                case FLATTEN -> {
                    String out = n.outputs().get(0);
                    if (fp32Names.containsKey(n.inputs().get(0))) {
                        node(n.name(), OpType.FLATTEN, fp32(n.inputs().get(0)), out);
                        tensors.add(sourceTensors.get(out));
                        fp32Names.put(out, out);
                    } else {
                        throw new IllegalArgumentException("node " + n.name() + ": FLATTEN of an int8 tensor is not supported");
                    }
                }
                case RELU, SOFTMAX -> {
                    String out = n.outputs().get(0);
                    node(n.name(), n.op(), fp32(n.inputs().get(0)), out);
                    tensors.add(sourceTensors.get(out));
                    fp32Names.put(out, out);
                }
                default -> throw new IllegalArgumentException("node " + n.name() + ": " + n.op()
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

    private void fullyConnected(Node n) {
        String x = int8(n.inputs().get(0));
        Quantization inQ = quantizationOf(n.inputs().get(0));
        Tensor weight = sourceTensors.get(n.inputs().get(1));
        if (weight.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("node " + n.name() + " is already quantized");
        }
        int out = weight.shape()[0];
        int in = weight.shape()[1];
        float[] w = weight.floats();
        float[] scales = new float[out];
        byte[] q = new byte[w.length];
        for (int c = 0; c < out; c++) {
            scales[c] = Int8Math.weightScale(w, c * in, (c + 1) * in);
            for (int i = c * in; i < (c + 1) * in; i++) {
                q[i] = Int8Math.quantizeWeight(w[i], scales[c]);
            }
        }
        tensors.add(Tensor.constant(weight.name(), q, Quantization.perChannel(scales, 0), out, in));
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
        String yq = source.outputs().contains(y) ? y + ".q" : y;
        tensors.add(Tensor.activation(yq, DataType.INT8, sourceTensors.get(y).shape(), quantizationOf(y)));
        nodes.add(new Node(n.name(), OpType.FULLY_CONNECTED, inputs, List.of(yq),
                Map.of("activation", n.activation().name())));
        int8Names.put(y, yq);
    }

    /** The int8 form of a source tensor, quantizing its fp32 form the first time it is needed. */
    private String int8(String tensor) {
        String existing = int8Names.get(tensor);
        if (existing != null) {
            return existing;
        }
        String q = tensor + ".q";
        tensors.add(Tensor.activation(q, DataType.INT8, sourceTensors.get(tensor).shape(), quantizationOf(tensor)));
        node(tensor + "/quantize", OpType.QUANTIZE, fp32(tensor), q);
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
        node(tensor + "/dequantize", OpType.DEQUANTIZE, int8Names.get(tensor), f);
        fp32Names.put(tensor, f);
        return f;
    }

    private Quantization quantizationOf(String tensor) {
        Range r = ranges.get(tensor);
        if (r == null) {
            throw new IllegalStateException("no calibration range for " + tensor);
        }
        return Int8Math.activation(r);
    }

    private void node(String name, OpType op, String in, String out) {
        nodes.add(new Node(name, op, List.of(in), List.of(out), Map.of()));
    }
}
