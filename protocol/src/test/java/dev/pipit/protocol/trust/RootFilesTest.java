package dev.pipit.protocol.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootFilesTest {

    @TempDir
    Path dir;

    private final KeyPair root = KeyFiles.generate();
    private final KeyPair release = KeyFiles.generate();

    private byte[] signedRoot() throws BundleException {
        return RootSigner.init(new RootSigner.Spec(1, 1_700_000_000_123L, 1_900_000_000_000L, List.of(root.getPublic()), 1,
                List.of(release.getPublic()), 1, Set.of("0123456789abcdef")), List.of(root));
    }

    @Test
    void write_json_readsBackTheSameSignedBytes() throws Exception {
        byte[] signed = signedRoot();
        Path file = dir.resolve("root.json");
        RootFiles.write(file, signed);
        String json = Files.readString(file);
        assertTrue(json.contains("\"expires\": \"2030-03-17T17:46:40Z\""), json);
        assertTrue(json.contains("\"threshold\": 1"), json);
        assertArrayEquals(signed, RootFiles.read(file));
        assertEquals(1, TrustRoot.installed(RootFiles.read(file)).version());
    }

    @Test
    void write_binary_readsBack() throws Exception {
        byte[] signed = signedRoot();
        Path file = dir.resolve("root.pb");
        RootFiles.write(file, signed);
        assertArrayEquals(signed, Files.readAllBytes(file));
        assertArrayEquals(signed, RootFiles.read(file));
    }

    @Test
    void read_editedJson_failsVerificationInsteadOfMeaningSomethingElse() throws Exception {
        Path file = dir.resolve("root.json");
        RootFiles.write(file, signedRoot());
        Files.writeString(file, Files.readString(file).replace("\"version\": 1", "\"version\": 7"));
        String why = assertThrows(BundleException.class, () -> TrustRoot.installed(RootFiles.read(file))).getMessage();
        assertEquals("root v7 has 0 valid signatures by its own root keys, 1 required", why);
    }

    @Test
    void read_unknownField_refusedNamingIt() throws Exception {
        Path file = dir.resolve("root.json");
        RootFiles.write(file, signedRoot());
        Files.writeString(file, Files.readString(file).replace("\"revoked\":", "\"trusted_forever\": [], \"revoked\":"));
        String why = assertThrows(IOException.class, () -> RootFiles.read(file)).getMessage();
        assertTrue(why.endsWith("signed has unknown field \"trusted_forever\""), why);
    }

    @Test
    void read_malformedJson_refusedWithPosition() throws Exception {
        Path file = dir.resolve("root.json");
        Files.writeString(file, "{\"signed\": {\"type\": \"pipit-root\",}");
        String why = assertThrows(IOException.class, () -> RootFiles.read(file)).getMessage();
        assertTrue(why.contains("invalid JSON at character"), why);
    }

    @Test
    void parse_deepNesting_refused() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonText.parse(deep)).getMessage().contains("nested deeper"));
    }
}
