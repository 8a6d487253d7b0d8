package dev.pipit.runtime.graph;

/**
 * Activation fused into the producing kernel (applied before the output is narrowed to int8), named by
 * the node attribute {@code "activation"}. CLIP takes its real-valued bounds from the attributes
 * {@code "activation_min"} and {@code "activation_max"} (each optional, default −∞ / +∞).
 */
public enum Activation {
    /** Identity. */
    NONE,
    /** {@code max(x, 0)}. */
    RELU,
    /** {@code min(max(x, 0), 6)}. */
    RELU6,
    /** {@code min(max(x, activation_min), activation_max)}. */
    CLIP
}
