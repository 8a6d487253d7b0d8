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

    private record Encoding(WeightFormat format, Function<Tensor, List<Tensor>> encode) {
    }

    private static final Encoding CSR = new Encoding(WeightFormat.CSR, CompressedWeights::csr);
    private static final Encoding BITMAP = new Encoding(WeightFormat.BITMAP, CompressedWeights::bitmap);
    private static final Encoding PALETTE4 = new Encoding(WeightFormat.PALETTE4, w -> CompressedWeights.palette(w, 4, false));

    private CompressedFormats() {
    }

    /** Per layer, whichever of dense, CSR and bitmap the runtime holds in the fewest bytes. */
    static Graph sparse(Graph int8) {
        return convert(int8, List.of(CSR, BITMAP));
    }

    /** 4-bit palettes with one codebook per layer (the weights must take at most 16 values per layer). */
    static Graph palette4(Graph int8) {
        return convert(int8, List.of(PALETTE4));
    }

    /**
     * Bytes the runtime holds for a layer's weights in {@code format}: the tensors, plus the int row starts
     * the sparse forms keep ({@code rows + 1}; CSR's row_ends already hold {@code rows} of them).
     */
    private static long ramBytes(WeightFormat format, List<Tensor> tensors, int rows) {
        long stored = tensors.stream().mapToLong(Tensor::dataBytes).sum();
        return stored + switch (format) {
            case CSR -> 4L;
            case BITMAP -> 4L * (rows + 1);
            default -> 0L;
        };
    }

    private static Graph convert(Graph graph, List<Encoding> candidates) {
        Map<String, Tensor> byName = graph.tensorsByName();
        Map<String, List<Tensor>> replacements = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : graph.nodes()) {
            Tensor w = n.inputs().size() > 1 ? byName.get(n.inputs().get(1)) : null;
            boolean layer = (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D) && w != null
                    && w.type() == DataType.INT8 && WeightFormat.of(n) == WeightFormat.DENSE;
            WeightFormat format = WeightFormat.DENSE;
            List<Tensor> encoded = null;
            long best = layer ? w.dataBytes() : 0;
            for (Encoding e : layer ? candidates : List.<Encoding>of()) {
                List<Tensor> tensors = e.encode().apply(w);
                long bytes = ramBytes(e.format(), tensors, w.shape()[0]);
                if (bytes < best) {
                    best = bytes;
                    format = e.format();
                    encoded = tensors;
                }
            }
            if (encoded == null) {
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
