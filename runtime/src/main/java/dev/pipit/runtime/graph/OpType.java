package dev.pipit.runtime.graph;

/**
 * Operators the runtime executes. Each has an fp32 form and, where listed, an int8 form; the form is
 * chosen by the data type of the node's tensors.
 */
public enum OpType {
    /** y = x · Wᵀ + b. Inputs: x [n, in], W [out, in], optional b [out]. Attribute: activation. */
    FULLY_CONNECTED,
    /** y = max(x, 0). */
    RELU,
    /** Row-wise softmax over the last axis; fp32 only. */
    SOFTMAX,
    /** Collapse all dimensions after the first: [n, ...] to [n, product]. */
    FLATTEN,
    /** fp32 to int8 with the output tensor's per-tensor quantization. */
    QUANTIZE,
    /** int8 to fp32 with the input tensor's quantization. */
    DEQUANTIZE
}
