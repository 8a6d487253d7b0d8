package dev.pipit.compress.security.privacy;

import dev.pipit.compress.data.LabeledImages;

/**
 * Which training images count as public. Secure pruning ({@code sparse80-private}) may decide and fine-tune on
 * them; the membership attack never samples its members from them, so a defence that uses them is not scored on
 * them. The parent saw them too: they stand for data already released (e.g. a public subset of the corpus).
 */
public final class PublicSplit {

    /** The last 5,000 training images (a twelfth of Fashion-MNIST's), or a sixth of a smaller set. */
    public static final int PUBLIC_IMAGES = 5000;

    private PublicSplit() {
    }

    /** Training images {@code [0, privateCount)} are private. */
    public static int privateCount(LabeledImages train) {
        return train.count() - publicCount(train);
    }

    public static LabeledImages publicImages(LabeledImages train) {
        return train.slice(privateCount(train), publicCount(train));
    }

    private static int publicCount(LabeledImages train) {
        return Math.min(PUBLIC_IMAGES, train.count() / 6);
    }
}
