package dev.pipit.protocol.bundle;

/**
 * Hard limits checked before anything is allocated from a declared size.
 *
 * @param maxManifestBytes serialized SignedManifest
 * @param maxVariants variants in one manifest
 * @param maxPayloadBytes one variant payload
 * @param maxChunkBytes one chunk
 */
public record BundleLimits(int maxManifestBytes, int maxVariants, long maxPayloadBytes, int maxChunkBytes) {

    public BundleLimits {
        if (maxManifestBytes < 1 || maxVariants < 1 || maxPayloadBytes < 1 || maxChunkBytes < 1) {
            throw new IllegalArgumentException("bundle limits must be positive");
        }
    }

    /** Generous for Fashion-MNIST-sized models, small enough for a 512 MB device. */
    public static BundleLimits defaults() {
        return new BundleLimits(4 << 20, 32, 64L << 20, 1 << 20);
    }
}
