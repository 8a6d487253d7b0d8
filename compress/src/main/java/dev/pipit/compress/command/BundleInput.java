package dev.pipit.compress.command;

import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opening a bundle file and decoding one of its variants, as the read-only commands do. */
final class BundleInput {

    private BundleInput() {
    }

    static BundleFile open(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such bundle file");
        }
        return BundleFile.open(file, BundleLimits.defaults());
    }

    /** The variant's graph, decoded from its payload after checking the payload's SHA-256. */
    static Graph graph(BundleFile bundle, String variantId) throws Exception {
        return GraphCodec.decode(bundle.payload(variantId));
    }
}
