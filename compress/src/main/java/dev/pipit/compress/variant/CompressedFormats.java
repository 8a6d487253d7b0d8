package dev.pipit.compress.variant;

import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Re-stores the dense int8 weights of a quantized graph in the runtime's compressed formats. */
final class CompressedFormats {

    private CompressedFormats() {
    }

    /** CSR for every layer whose CSR form is smaller than its dense form. */
    static Graph csr(Graph int8) {
        return convert(int8, WeightFormat.CSR, CompressedWeights::csr);
    }

    /** 4-bit palettes with one codebook per layer (the weights must take at most 16 values per layer). */
    static Graph palette4(Graph int8) {
        return convert(int8, WeightFormat.PALETTE4, w -> CompressedWeights.palette(w, 4, false));
    }

    private static Graph convert(Graph graph, WeightFormat format, Function<Tensor, List<Tensor>> encode) {
        Map<String, Tensor> byName = graph.tensorsByName();
        Map<String, List<Tensor>> replacements = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            Tensor w = n.inputs().size() > 1 ? byName.get(n.inputs().get(1)) : null;
            boolean layer = (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D) && w != null
                    && w.type() == DataType.INT8 && WeightFormat.of(n) == WeightFormat.DENSE;
            List<Tensor> encoded = layer ? encode.apply(w) : null;
            if (encoded == null || encoded.stream().mapToLong(Tensor::dataBytes).sum() >= w.dataBytes()) {
                nodes.add(n);
                continue;
            }
            replacements.put(w.name(), encoded);
            List<String> inputs = new ArrayList<>(List.of(n.inputs().get(0)));
            encoded.forEach(t -> inputs.add(t.name()));
            inputs.addAll(n.inputs().subList(2, n.inputs().size()));
            Map<String, String> attributes = new HashMap<>(n.attributes());
            attributes.put(WeightFormat.ATTRIBUTE, format.attribute());
            int[] shape = w.shape();
            if (n.op() == OpType.CONV_2D) {
                attributes.put("kernel_shape", shape[2] + "," + shape[3]);
            }
            nodes.add(new Node(n.name(), n.op(), inputs, n.outputs(), attributes));
        }
        List<Tensor> tensors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Tensor t : graph.tensors()) {
            for (Tensor r : replacements.getOrDefault(t.name(), List.of(t))) {
                if (seen.add(r.name())) {
                    tensors.add(r);
                }
            }
        }
        return new Graph(tensors, nodes, graph.inputs(), graph.outputs());
    }
}
