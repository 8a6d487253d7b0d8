package dev.pipit.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path dir;

    private static AgentState.Installed installed(long version) {
        return new AgentState.Installed("fashion", version, "int8", "int8: fits", 1_700_000_000_000L + version);
    }

    @Test
    void open_emptyDirectory_hasNoActiveModel() throws IOException {
        StateStore store = StateStore.open(dir);

        assertNull(store.state().active());
        assertTrue(store.state().trusted().isEmpty());
        assertTrue(Files.isDirectory(dir.resolve("models")));
    }

    @Test
    void save_thenReopen_readsTheSameState() throws IOException {
        StateStore store = StateStore.open(dir);
        AgentState saved = store.state().activated(installed(3), "ab".repeat(32)).withSequence(7);
        store.save(saved);

        assertEquals(saved, StateStore.open(dir).state());
    }

    @Test
    void open_leftoverTmpFromInterruptedSave_ignoresAndDeletesIt() throws IOException {
        StateStore store = StateStore.open(dir);
        AgentState committed = store.state().activated(installed(3), "ab".repeat(32));
        store.save(committed);
        // a crash between writing the temporary file and renaming it: a newer state that was never committed
        Path tmp = dir.resolve("state.properties.tmp");
        Files.writeString(tmp, "active.model=fashion\nactive.version=4\nactive.variant=fp32\nsequence=99\n");
        Path graphTmp = dir.resolve("models/fashion/4/manifest.pb.tmp");
        Files.createDirectories(graphTmp.getParent());
        Files.writeString(graphTmp, "half a manifest");

        StateStore reopened = StateStore.open(dir);

        assertEquals(committed, reopened.state());
        assertFalse(Files.exists(tmp));
        assertFalse(Files.exists(graphTmp));
    }

    @Test
    void open_damagedStateFile_failsWithTheFileNamed() throws IOException {
        Files.writeString(dir.resolve("state.properties"), "active.model=fashion\nactive.version=three\n");

        IOException e = assertThrows(IOException.class, () -> StateStore.open(dir));
        assertTrue(e.getMessage().contains("state.properties is damaged"), e.getMessage());
    }

    @Test
    void save_writesNoTemporaryFileThatOutlivesIt() throws IOException {
        StateStore store = StateStore.open(dir);
        store.save(store.state().withSequence(1));

        try (var files = Files.list(dir)) {
            assertEquals(Set.of("state.properties", "models", "downloads"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
    }

    @Test
    void install_movesVerifiedPayloadBesideItsManifest() throws IOException {
        StateStore store = StateStore.open(dir);
        Path partial = store.partialFile("fashion", 3, "int8");
        Files.write(partial, new byte[] {1, 2, 3});

        Path graph = store.install("fashion", 3, "int8", partial);
        store.saveManifest("fashion", 3, "signed".getBytes(StandardCharsets.US_ASCII));

        assertEquals(dir.resolve("models/fashion/3/int8.graph").toAbsolutePath(), graph);
        assertFalse(Files.exists(partial));
        assertEquals("signed", Files.readString(store.manifestFile("fashion", 3)));
    }

    @Test
    void prune_keepsOnlyTheGivenVersions() throws IOException {
        StateStore store = StateStore.open(dir);
        for (long v = 1; v <= 3; v++) {
            store.saveManifest("fashion", v, new byte[] {(byte) v});
        }
        store.partialFile("fashion", 1, "int8");

        store.prune("fashion", Set.of(2L, 3L));

        assertFalse(Files.exists(dir.resolve("models/fashion/1")));
        assertFalse(Files.exists(dir.resolve("downloads/fashion/1")));
        assertTrue(Files.exists(store.manifestFile("fashion", 2)));
        assertTrue(Files.exists(store.manifestFile("fashion", 3)));
    }

    @Test
    void checkName_pathTraversal_isRefused() {
        for (String bad : new String[] {"..", ".", "a/b", "", ".hidden", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> StateStore.checkName("model id", bad), bad);
        }
        assertEquals("fashion-mnist_v2.1", StateStore.checkName("model id", "fashion-mnist_v2.1"));
    }
}
