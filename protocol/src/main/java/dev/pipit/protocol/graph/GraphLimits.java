package dev.pipit.protocol.graph;

/**
 * Hard limits a variant payload must meet before the runtime sees it, checked on the decoded protobuf
 * before any tensor is built: a payload within {@code BundleLimits} can still declare tensors whose
 * arena would not fit any device (TFLite CVE-2020-15213: crafted sizes, out of memory).
 *
 * @param maxTensors tensors in one graph
 * @param maxNodes nodes in one graph (a graph is a list in execution order: this also bounds its depth)
 * @param maxRank dimensions of one tensor
 * @param maxDimension size of one dimension
 * @param maxTensorElements elements of one tensor
 * @param maxActivationBytesPerSample all activation tensors of one sample together: an upper bound of the
 *     arena per sample, however the planner shares memory
 * @param maxNodeInputs inputs of one node
 * @param maxAttributes attributes of one node
 * @param maxNameLength characters of a tensor or node name, an attribute name or value
 */
public record GraphLimits(int maxTensors, int maxNodes, int maxRank, int maxDimension, long maxTensorElements,
                          long maxActivationBytesPerSample, int maxNodeInputs, int maxAttributes, int maxNameLength) {

    public GraphLimits {
        if (maxTensors < 1 || maxNodes < 1 || maxRank < 1 || maxDimension < 1 || maxTensorElements < 1
                || maxActivationBytesPerSample < 1 || maxNodeInputs < 1 || maxAttributes < 0 || maxNameLength < 1) {
            throw new IllegalArgumentException("graph limits must be positive");
        }
    }

    /** Far beyond Pipit's models (a 784-128-10 MLP has 9 tensors), small enough for a 512 MB device. */
    public static GraphLimits defaults() {
        return new GraphLimits(4096, 2048, 6, 1 << 20, 1L << 26, 16L << 20, 256, 16, 256);
    }

    public GraphLimits withMaxActivationBytesPerSample(long bytes) {
        return new GraphLimits(maxTensors, maxNodes, maxRank, maxDimension, maxTensorElements, bytes, maxNodeInputs,
                maxAttributes, maxNameLength);
    }
}
