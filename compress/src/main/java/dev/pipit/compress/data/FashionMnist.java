package dev.pipit.compress.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Fashion-MNIST as Debian's {@code dataset-fashion-mnist} package installs it (gzipped IDX files). */
public final class FashionMnist {

    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String NAME = "fashion-mnist";
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int TRAIN_COUNT = 60_000;
    public static final int TEST_COUNT = 10_000;

    private FashionMnist() {
    }

    /** The 60,000 training images. */
    public static LabeledImages train(Path dir) throws IOException {
        return read(dir, "train", TRAIN_COUNT);
    }

    /** The 10,000 test images. */
    public static LabeledImages test(Path dir) throws IOException {
        return read(dir, "t10k", TEST_COUNT);
    }

    private static LabeledImages read(Path dir, String prefix, int count) throws IOException {
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        for (Path p : List.of(images, labels)) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "Fashion-MNIST is not installed in " + dir
                        + " (install it with: sudo apt-get install dataset-fashion-mnist, or pass --data-dir)");
            }
        }
        byte[] pixels = IdxFile.read(images, count, ROWS, COLS);
        byte[] classes = IdxFile.read(labels, count);
        try {
            return new LabeledImages(pixels, classes, ROWS, COLS, CLASS_NAMES.size());
        } catch (IllegalArgumentException e) {
            throw new IOException(labels + ": " + e.getMessage(), e);
        }
    }
}
