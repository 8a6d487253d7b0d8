package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.kernel.ActivationRange;
import java.util.Arrays;

/** Parses a node's string attributes (formats in {@link dev.pipit.runtime.graph.OpType}); failures name the node. */
final class NodeAttributes {

    private NodeAttributes() {
    }

    /** {@code count} comma-separated integers, or {@code fallback} when absent (null: required). */
    static int[] ints(Node node, String name, int count, int[] fallback) {
        String value = node.attributes().get(name);
        if (value == null) {
            if (fallback == null) {
                throw fail(node, "needs attribute " + name + " (" + count + " comma-separated integers)");
            }
            return fallback;
        }
        try {
            int[] parsed = Arrays.stream(value.split(",", -1)).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (count < 0 || parsed.length == count) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw fail(node, "attribute " + name + " '" + value + "' is not " + (count < 0 ? "a list of" : count)
                + " comma-separated integers");
    }

    static int integer(Node node, String name, int fallback) {
        return ints(node, name, 1, new int[] {fallback})[0];
    }

    /** A finite float, or {@code fallback} when absent. */
    static float real(Node node, String name, float fallback) {
        String value = node.attributes().get(name);
        if (value == null) {
            return fallback;
        }
        try {
            float f = Float.parseFloat(value.trim());
            if (!Float.isNaN(f)) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw fail(node, "attribute " + name + " '" + value + "' is not a number");
    }

    /** The fused activation's range: attribute activation, and activation_min / activation_max for CLIP. */
    static ActivationRange activation(Node node) {
        Activation activation;
        try {
            activation = node.activation();
        } catch (IllegalArgumentException e) {
            throw fail(node, "unknown activation " + node.attributes().get("activation")
                    + " (supported: " + String.join(", ", Arrays.stream(Activation.values()).map(Enum::name).toList()) + ")");
        }
        boolean bounds = node.attributes().containsKey("activation_min") || node.attributes().containsKey("activation_max");
        if (activation != Activation.CLIP) {
            if (bounds) {
                throw fail(node, "activation_min and activation_max apply only to activation CLIP");
            }
            return ActivationRange.of(activation);
        }
        return range(node, real(node, "activation_min", Float.NEGATIVE_INFINITY),
                real(node, "activation_max", Float.POSITIVE_INFINITY));
    }

    /** A non-empty range. */
    static ActivationRange range(Node node, float min, float max) {
        if (!(min <= max)) {
            throw fail(node, "clip range [" + min + ", " + max + "] is empty");
        }
        return ActivationRange.clip(min, max);
    }

    static InvalidGraphException fail(Node node, String message) {
        return new InvalidGraphException("node " + node.name() + " (" + node.op() + "): " + message);
    }
}
