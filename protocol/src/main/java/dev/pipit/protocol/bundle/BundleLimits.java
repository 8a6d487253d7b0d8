package dev.pipit.protocol.bundle;

/**
 * Hard limits checked before anything is allocated from a declared size.
 *
 * @param maxManifestBytes serialized SignedManifest
 * @param maxVariants variants in one manifest
 * @param maxPayloadBytes one variant payload
 * @param maxChunkBytes one chunk
 * @param maxChunks chunks of one variant payload
 * @param maxTotalPayloadBytes all variant payloads of one bundle together
 */
public record BundleLimits(int maxManifestBytes, int maxVariants, long maxPayloadBytes, int maxChunkBytes, int maxChunks,
                           long maxTotalPayloadBytes) {

    public static final int DEFAULT_MAX_CHUNKS = 1 << 16;

    public BundleLimits {
        if (maxManifestBytes < 1 || maxVariants < 1 || maxPayloadBytes < 1 || maxChunkBytes < 1 || maxChunks < 1
                || maxTotalPayloadBytes < 1) {
            throw new IllegalArgumentException("bundle limits must be positive");
        }
    }

    /** The four size limits; chunk count and bundle total follow from them. */
    public BundleLimits(int maxManifestBytes, int maxVariants, long maxPayloadBytes, int maxChunkBytes) {
        this(maxManifestBytes, maxVariants, maxPayloadBytes, maxChunkBytes, DEFAULT_MAX_CHUNKS,
                saturatedProduct(maxVariants, maxPayloadBytes));
    }

    private static long saturatedProduct(int a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Generous for Fashion-MNIST-sized models, small enough for a 512 MB device. */
    public static BundleLimits defaults() {
        return new BundleLimits(4 << 20, 32, 64L << 20, 1 << 20, DEFAULT_MAX_CHUNKS, 256L << 20);
    }
}
