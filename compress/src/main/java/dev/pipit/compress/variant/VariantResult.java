package dev.pipit.compress.variant;

import dev.pipit.runtime.graph.Graph;
import java.util.Map;

/**
 * A compressed graph and how it was made.
 *
 * @param graph the runtime graph (fp32 in and out)
 * @param technique one line for people
 * @param calibration per activation tensor, the calibration method chosen (empty when not quantized statically)
 * @param details technique-specific evidence (e.g. the five stochastic-rounding accuracies)
 */
public record VariantResult(Graph graph, String technique, Map<String, String> calibration, Map<String, Object> details) {

    public VariantResult {
        calibration = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(calibration));
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
