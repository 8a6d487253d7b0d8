package dev.pipit.runtime.exec;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import dev.pipit.runtime.kernel.BatchNorm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds each BATCH_NORMALIZATION of a validated graph into the fp32 dense CONV_2D or FULLY_CONNECTED
 * that produces its input, when that layer has no fused activation and nothing else reads its output:
 * with {@code a = scale / √(var + ε)}, the layer's weights of channel {@code c} are multiplied by
 * {@code a[c]} and its bias becomes {@code bias[c]·a[c] + (beta[c] − mean[c]·a[c])}. The node disappears;
 * the layer writes the normalization's output. Other BATCH_NORMALIZATION nodes stay and run on their own.
 */
final class BatchNormFolding {

    private BatchNormFolding() {
    }

    static Graph fold(Graph graph) {
        if (graph.nodes().stream().noneMatch(n -> n.op() == OpType.BATCH_NORMALIZATION)) {
            return graph;
        }
        Map<String, Tensor> tensors = graph.tensorsByName();
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : graph.nodes()) {
            n.inputs().forEach(t -> readers.merge(t, 1, Integer::sum));
        }
        List<Node> nodes = new ArrayList<>(graph.nodes());
        List<Tensor> added = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            if (bn.op() != OpType.BATCH_NORMALIZATION) {
                continue;
            }
            String x = bn.inputs().get(0);
            int p = producer(nodes, x, i);
            if (p < 0 || !foldable(nodes.get(p), tensors) || readers.get(x) != 1 || graph.outputs().contains(x)) {
                continue;
            }
            Node layer = nodes.get(p);
            Tensor w = tensors.get(layer.inputs().get(1));
            float[] weights = w.floats();
            int channels = w.shape()[0];
            int perChannel = weights.length / channels;
            float[] bias = layer.inputs().size() > 2 ? tensors.get(layer.inputs().get(2)).floats() : new float[channels];
            BatchNorm norm = new BatchNorm(tensors.get(bn.inputs().get(1)).floats(), tensors.get(bn.inputs().get(2)).floats(),
                    tensors.get(bn.inputs().get(3)).floats(), tensors.get(bn.inputs().get(4)).floats(),
                    NodeAttributes.real(bn, "epsilon", 1e-5f), 1);
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < perChannel; k++) {
                    weights[c * perChannel + k] *= norm.multiplier(c);
                }
                bias[c] = bias[c] * norm.multiplier(c) + norm.offset(c);
            }
            Tensor foldedWeights = Tensor.constant(unique(tensors, w.name() + "/bn_folded"), weights, w.shape());
            tensors.put(foldedWeights.name(), foldedWeights);
            Tensor foldedBias = Tensor.constant(unique(tensors, layer.name() + "/bn_folded_bias"), bias, channels);
            tensors.put(foldedBias.name(), foldedBias);
            added.add(foldedWeights);
            added.add(foldedBias);
            nodes.set(p, new Node(layer.name(), layer.op(), List.of(layer.inputs().get(0), foldedWeights.name(), foldedBias.name()),
                    bn.outputs(), layer.attributes()));
            nodes.remove(i--);
        }
        List<Tensor> all = new ArrayList<>(graph.tensors());
        all.addAll(added);
        return new Graph(all, nodes, graph.inputs(), graph.outputs());
    }

    private static int producer(List<Node> nodes, String tensor, int before) {
        for (int i = before - 1; i >= 0; i--) {
            if (nodes.get(i).outputs().contains(tensor)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean foldable(Node layer, Map<String, Tensor> tensors) {
        return (layer.op() == OpType.CONV_2D || layer.op() == OpType.FULLY_CONNECTED)
                && WeightFormat.of(layer) == WeightFormat.DENSE && layer.activation() == Activation.NONE
                && tensors.get(layer.inputs().get(1)).type() == DataType.FLOAT32;
    }

    private static String unique(Map<String, Tensor> tensors, String name) {
        String candidate = name;
        for (int i = 2; tensors.containsKey(candidate); i++) {
            candidate = name + i;
        }
        return candidate;
    }
}
