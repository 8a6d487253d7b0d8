package dev.pipit.compress.bundle;

import java.util.List;

/**
 * What a bundle is about, apart from its variants.
 *
 * @param modelId the model's topic segment (e.g. {@code fashion-mlp})
 * @param version monotonic release number, at least 1
 * @param labels class names, in output order
 * @param evaluatedOn what the variants' accuracy was measured on
 * @param chunkBytes payload chunk size for transfer
 * @param goldenCount how many test samples every variant's outputs are pinned for
 */
public record BundleSpec(String modelId, long version, List<String> labels, String evaluatedOn, int chunkBytes,
                         int goldenCount) {

    /** 64 KiB: well under Greengrass's 128 KB message default and the bundle limit of 1 MiB. */
    public static final int DEFAULT_CHUNK_BYTES = 64 * 1024;
    public static final int DEFAULT_GOLDEN_COUNT = 8;

    public BundleSpec {
        if (modelId == null || modelId.isEmpty() || version < 1) {
            throw new IllegalArgumentException("a bundle needs a model id and a version of at least 1");
        }
        if (chunkBytes < 1 || goldenCount < 1) {
            throw new IllegalArgumentException("chunk size and golden count must be positive");
        }
        labels = List.copyOf(labels);
    }

    public BundleSpec(String modelId, long version, List<String> labels, String evaluatedOn) {
        this(modelId, version, labels, evaluatedOn, DEFAULT_CHUNK_BYTES, DEFAULT_GOLDEN_COUNT);
    }
}
