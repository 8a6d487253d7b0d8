package dev.pipit.compress;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The real Fashion-MNIST files and reference models, loaded once per test JVM. */
public final class TestData {

    private static LabeledImages train;
    private static LabeledImages test;

    private TestData() {
    }

    public static synchronized LabeledImages train() {
        if (train == null) {
            try {
                train = FashionMnist.train(FashionMnist.DEFAULT_DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return train;
    }

    public static synchronized LabeledImages test() {
        if (test == null) {
            try {
                test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return test;
    }

    /** A model PyTorch exported, copied from /work/shared/models into the test resources. */
    public static Path model(String file) {
        try {
            return Path.of(TestData.class.getResource("/models/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code n} images of a set as one row-major float array. */
    public static float[] floats(LabeledImages images, int n) {
        float[] out = new float[n * images.imageSize()];
        images.copyImages(0, n, out, 0);
        return out;
    }
}
