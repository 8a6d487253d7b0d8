package dev.pipit.compress.bundle;

import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.runtime.graph.Graph;
import java.util.Map;

/**
 * A compressed variant ready to be bundled, with the evidence measured for it.
 *
 * @param id short identifier used in topics and on the command line (e.g. {@code int8})
 * @param technique human-readable description of how it was produced
 * @param graph the runtime graph that becomes the payload
 * @param evidence accuracy, cost and memory measured with the runtime
 * @param calibration per activation tensor, the calibration method chosen (empty when not statically quantized)
 * @param details technique-specific evidence for the report
 * @param security attack figures by name (e.g. {@code fgsmAccuracy}), empty unless measured
 */
public record VariantBuild(String id, String technique, Graph graph, Evaluation evidence, Map<String, String> calibration,
                           Map<String, Object> details, Map<String, Double> security) {

    public VariantBuild {
        if (id == null || id.isEmpty() || technique == null || graph == null || evidence == null) {
            throw new IllegalArgumentException("a variant needs an id, a technique, a graph and its evaluation");
        }
        calibration = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(calibration));
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
        security = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(security));
    }

    public VariantBuild(String id, String technique, Graph graph, Evaluation evidence, Map<String, String> calibration,
                        Map<String, Object> details) {
        this(id, technique, graph, evidence, calibration, details, Map.of());
    }

    /** This variant with its security figures. */
    public VariantBuild withSecurity(Map<String, Double> measured) {
        return new VariantBuild(id, technique, graph, evidence, calibration, details, measured);
    }

    public VariantBuild(String id, String technique, Graph graph, Evaluation evidence) {
        this(id, technique, graph, evidence, Map.of(), Map.of(), Map.of());
    }
}
