package dev.pipit.compress.security;

import dev.pipit.compress.bundle.VariantBuild;
import java.util.Map;

/**
 * One family of attacks, prepared once per model (e.g. adversarial examples crafted on the fp32 parent) and then
 * run against each variant's final compressed graph with the runtime's kernels.
 */
public interface SecurityProbe {

    /** Figures for one variant, named as in report.json's {@code security} object, e.g. {@code pgdAccuracy}. */
    Map<String, Double> measure(VariantBuild variant);
}
