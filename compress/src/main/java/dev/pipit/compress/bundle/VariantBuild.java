package dev.pipit.compress.bundle;

import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.runtime.graph.Graph;

/**
 * A compressed variant ready to be bundled, with the evidence measured for it.
 *
 * @param id short identifier used in topics and on the command line (e.g. {@code int8})
 * @param technique human-readable description of how it was produced
 * @param graph the runtime graph that becomes the payload
 * @param evidence accuracy, cost and memory measured with the runtime
 */
public record VariantBuild(String id, String technique, Graph graph, Evaluation evidence) {

    public VariantBuild {
        if (id == null || id.isEmpty() || technique == null || graph == null || evidence == null) {
            throw new IllegalArgumentException("a variant needs an id, a technique, a graph and its evaluation");
        }
    }
}
