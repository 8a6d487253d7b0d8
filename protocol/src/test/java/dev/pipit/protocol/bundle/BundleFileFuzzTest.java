package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.testing.Bounded;
import dev.pipit.protocol.testing.Mutator;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Any file handed to {@link BundleFile#open} (and then {@link BundleFile#payload}) gives a bundle or an
 * IOException/BundleException, within a deadline: never another exception, a hang or an out-of-memory.
 * Tries: {@code jqwik.tries.default} (src/test/resources/junit-platform.properties).
 */
class BundleFileFuzzTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);
    private static final byte[] VALID = validBundle();

    private static byte[] validBundle() {
        try {
            Path dir = Files.createTempDirectory("pipit-fuzz");
            byte[] a = BundleFileTest.random(700, 1);
            byte[] b = BundleFileTest.random(90, 2);
            Manifest m = Manifest.newBuilder().setModelId("m").setVersion(2)
                    .addVariants(BundleFileTest.variant("a", a, 100)).addVariants(BundleFileTest.variant("b", b, 64)).build();
            Path out = dir.resolve("valid.pipit");
            BundleFile.write(out, ManifestSigner.sign(m, KeyFiles.generate()), List.of(a, b));
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property
    void open_anyBytes_bundleOrDocumentedException(@ForAll @Size(max = 2048) byte[] bytes) throws IOException {
        check(bytes);
    }

    @Property
    void open_magicThenAnyBytes_bundleOrDocumentedException(@ForAll @Size(max = 2048) byte[] rest) throws IOException {
        byte[] b = new byte[BundleFile.MAGIC.length + rest.length];
        System.arraycopy(BundleFile.MAGIC, 0, b, 0, BundleFile.MAGIC.length);
        System.arraycopy(rest, 0, b, BundleFile.MAGIC.length, rest.length);
        check(b);
    }

    @Property
    void open_damagedBundle_bundleOrDocumentedException(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int mutations)
            throws IOException {
        check(Mutator.mutate(VALID, seed, mutations));
    }

    private static void check(byte[] content) throws IOException {
        Path file = Files.createTempFile("pipit-fuzz", ".pipit");
        try {
            Files.write(file, content);
            Object r = Bounded.within(LIMIT, () -> {
                BundleFile b = BundleFile.open(file, BundleLimits.defaults());
                for (Variant v : b.manifest().getVariantsList()) {
                    b.payload(v.getId());
                }
                return b;
            });
            assertTrue(r instanceof BundleFile || r instanceof BundleException || r instanceof IOException,
                    () -> "undocumented outcome " + r + (r instanceof Throwable t ? " at " + t.getStackTrace()[0] : ""));
        } finally {
            Files.delete(file);
        }
    }
}
