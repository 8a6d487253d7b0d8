package dev.pipit.runtime.graph;

import java.util.List;
import java.util.Map;

/**
 * One operation of a graph.
 *
 * @param name unique within the graph, used in error messages
 * @param op what it computes
 * @param inputs tensor names, in the order the operator defines
 * @param outputs tensor names
 * @param attributes operator attributes by name (e.g. {@code "activation" -> "RELU"})
 */
public record Node(String name, OpType op, List<String> inputs, List<String> outputs,
                   Map<String, String> attributes) {

    public Node {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("node name must not be empty");
        }
        if (op == null) {
            throw new IllegalArgumentException("node " + name + " has no operator");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    public Node(String name, OpType op, List<String> inputs, List<String> outputs) {
        this(name, op, inputs, outputs, Map.of());
    }

    /** The fused activation ({@link Activation#NONE} when absent). */
    public Activation activation() {
        String a = attributes.get("activation");
        if (a == null) {
            return Activation.NONE;
        }
        try {
            return Activation.valueOf(a);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node " + name + " has unknown activation " + a, e);
        }
    }
}
