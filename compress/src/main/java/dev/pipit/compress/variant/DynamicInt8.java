package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.WeightQuantizer;
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

/**
 * Dynamic-range int8: fully-connected weights int8 per channel, activations quantized per sample at run
 * time (FULLY_CONNECTED_DYNAMIC), no calibration. The runtime has no dynamic convolution, so convolutions
 * stay fp32, as PyTorch's dynamic quantization leaves them.
 */
final class DynamicInt8 implements Technique {

    @Override
    public String id() {
        return "int8-dynamic";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        return new VariantResult(convert(context.parent()),
                "dynamic int8 (fully-connected weights int8 per channel, activations quantized per sample; convolutions fp32)",
                Map.of(), Map.of());
    }

    static Graph convert(Graph graph) {
        Map<String, Tensor> byName = graph.tensorsByName();
        Map<String, Tensor> replaced = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            Tensor w = n.inputs().size() > 1 ? byName.get(n.inputs().get(1)) : null;
            if (n.op() == OpType.FULLY_CONNECTED && w != null && w.type() == DataType.FLOAT32) {
                int rows = w.shape()[0];
                float[] f = w.floats();
                byte[] q = new byte[f.length];
                float[] scales = WeightQuantizer.perChannel().quantize(f, rows, f.length / rows, q);
                replaced.put(w.name(), Tensor.constant(w.name(), q, Quantization.perChannel(scales, 0), w.shape()));
                nodes.add(new Node(n.name(), OpType.FULLY_CONNECTED_DYNAMIC, n.inputs(), n.outputs(), n.attributes()));
            } else {
                nodes.add(n);
            }
        }
        List<Tensor> tensors = graph.tensors().stream().map(t -> replaced.getOrDefault(t.name(), t)).toList();
        return new Graph(tensors, nodes, graph.inputs(), graph.outputs());
    }
}
