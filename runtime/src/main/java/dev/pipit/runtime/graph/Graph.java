package dev.pipit.runtime.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as the runtime sees it: tensors, nodes in execution order, and the graph's inputs and
 * outputs. The structure is validated by {@link dev.pipit.runtime.Interpreter} before any kernel runs;
 * this record only checks that names are unique.
 */
public record Graph(List<Tensor> tensors, List<Node> nodes, List<String> inputs, List<String> outputs) {

    public Graph {
        tensors = List.copyOf(tensors);
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        Map<String, Tensor> seen = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (seen.put(t.name(), t) != null) {
                throw new IllegalArgumentException("tensor " + t.name() + " is declared twice");
            }
        }
    }

    /** Tensors by name, in declaration order. */
    public Map<String, Tensor> tensorsByName() {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            byName.put(t.name(), t);
        }
        return byName;
    }

    /** Bytes of all constant tensors: what the weights occupy in memory. */
    public long weightBytes() {
        long sum = 0;
        for (Tensor t : tensors) {
            sum += t.dataBytes();
        }
        return sum;
    }
}
