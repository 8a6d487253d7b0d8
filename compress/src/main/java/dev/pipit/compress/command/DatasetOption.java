package dev.pipit.compress.command;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import java.io.IOException;
import java.nio.file.Path;

/** The data sets the commands accept by name. */
final class DatasetOption {

    private DatasetOption() {
    }

    static void require(String name) {
        if (!FashionMnist.NAME.equals(name)) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; supported: " + FashionMnist.NAME);
        }
    }

    static LabeledImages train(String name, Path dir) throws IOException {
        require(name);
        return FashionMnist.train(dir);
    }

    static LabeledImages test(String name, Path dir) throws IOException {
        require(name);
        return FashionMnist.test(dir);
    }
}
