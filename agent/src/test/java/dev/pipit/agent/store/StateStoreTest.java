package dev.pipit.agent.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path dir;

    private static final String SHA = "ab".repeat(32);

    private static AgentState.Installed installed(Slot slot, long version, String variant) {
        return new AgentState.Installed(slot, "fashion", version, variant, variant + ": fits",
                1_700_000_000_000L + version);
    }

    private static byte[] manifest(long version) {
        return ("signed manifest v" + version).getBytes(StandardCharsets.US_ASCII);
    }

    /** Stores a payload for a version the way a finished download does: claim, then install. */
    private static Slot store(StateStore store, long version, String variant) throws IOException {
        Slot slot = store.claim("fashion", version, manifest(version));
        Path partial = store.partialFile("fashion", version, variant);
        Files.write(partial, new byte[] {(byte) version});
        store.install(slot, variant, partial);
        return slot;
    }

    @Test
    void open_emptyDirectory_hasNoActiveModelAndBothSlots() throws IOException {
        StateStore store = StateStore.open(dir);

        assertNull(store.state().active());
        assertTrue(store.state().trusted().isEmpty());
        assertTrue(Files.isDirectory(dir.resolve("slots/a")) && Files.isDirectory(dir.resolve("slots/b")));
    }

    @Test
    void save_thenReopen_readsTheSameState() throws IOException {
        StateStore store = StateStore.open(dir);
        AgentState saved = store.state().activated(installed(Slot.A, 2, "int8"), null, SHA)
                .activated(installed(Slot.B, 3, "int8"), installed(Slot.A, 2, "int8"), SHA)
                .started().withSequence(7).withReportInterval(15);
        store.save(saved);

        assertEquals(saved, StateStore.open(dir).state());
    }

    @Test
    void open_leftoverTmpFromInterruptedSave_ignoresAndDeletesIt() throws IOException {
        StateStore store = StateStore.open(dir);
        AgentState committed = store.state().activated(installed(Slot.A, 3, "int8"), null, SHA);
        store.save(committed);
        // a crash between writing the temporary file and renaming it: a newer state that was never committed
        Path tmp = dir.resolve("state.properties.tmp");
        Files.writeString(tmp, "active.slot=b\nactive.model=fashion\nactive.version=4\nactive.variant=fp32\n");
        Path manifestTmp = dir.resolve("slots/b/manifest.pb.tmp");
        Files.writeString(manifestTmp, "half a manifest");

        StateStore reopened = StateStore.open(dir);

        assertEquals(committed, reopened.state());
        assertFalse(Files.exists(tmp));
        assertFalse(Files.exists(manifestTmp));
    }

    @Test
    void open_damagedStateFile_failsWithTheFileNamed() throws IOException {
        Files.writeString(dir.resolve("state.properties"), "active.slot=a\nactive.model=fashion\nactive.version=three\n");

        IOException e = assertThrows(IOException.class, () -> StateStore.open(dir));
        assertTrue(e.getMessage().contains("state.properties is damaged"), e.getMessage());
    }

    @Test
    void save_writesNoTemporaryFileThatOutlivesIt() throws IOException {
        StateStore store = StateStore.open(dir);
        store.save(store.state().withSequence(1));

        try (var files = Files.list(dir)) {
            assertEquals(Set.of("state.properties", "slots", "downloads"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
    }

    @Test
    void claim_firstVersion_usesSlotAAndKeepsTheManifest() throws IOException {
        StateStore store = StateStore.open(dir);

        Slot slot = store(store, 1, "int8");

        assertEquals(Slot.A, slot);
        assertArrayEquals(manifest(1), Files.readAllBytes(store.manifestFile(Slot.A)));
        assertEquals(List.of("int8"), store.variants(Slot.A));
        assertFalse(Files.exists(store.partialFile("fashion", 1, "int8")));
    }

    @Test
    void claim_newVersion_usesTheOtherSlotAndDropsTheRollbackTargetFirst() throws IOException {
        StateStore store = StateStore.open(dir);
        store(store, 1, "int8");
        store.save(store.state().activated(installed(Slot.A, 1, "int8"), null, SHA));
        store(store, 2, "int8");
        store.save(store.state().activated(installed(Slot.B, 2, "int8"), installed(Slot.A, 1, "int8"), SHA));

        Slot slot = store.claim("fashion", 3, manifest(3)); // slot A held v1, the rollback target

        assertEquals(Slot.A, slot);
        assertNull(store.state().previous(), "the state no longer names what the slot held");
        assertNull(StateStore.open(dir).state().previous(), "durably");
        assertEquals(List.of(), store.variants(Slot.A));
        assertEquals(List.of("int8"), store.variants(Slot.B), "the active slot is untouched");
    }

    @Test
    void claim_activeVersionAgain_addsAVariantBesideTheActiveOne() throws IOException {
        StateStore store = StateStore.open(dir);
        store(store, 1, "int8");
        store.save(store.state().activated(installed(Slot.A, 1, "int8"), null, SHA));

        Slot slot = store(store, 1, "fp32");

        assertEquals(Slot.A, slot);
        assertEquals(List.of("fp32", "int8"), store.variants(Slot.A));
    }

    @Test
    void claim_activeVersionWithOtherManifestBytes_isRefusedAndKeepsTheSlot() throws IOException {
        StateStore store = StateStore.open(dir);
        store(store, 1, "int8");
        store.save(store.state().activated(installed(Slot.A, 1, "int8"), null, SHA));

        assertThrows(IOException.class, () -> store.claim("fashion", 1, "forged v1".getBytes(StandardCharsets.US_ASCII)));

        assertEquals(List.of("int8"), store.variants(Slot.A));
        assertArrayEquals(manifest(1), Files.readAllBytes(store.manifestFile(Slot.A)));
    }

    @Test
    void find_installedBeforeACrash_isFoundByItsManifestBytes() throws IOException {
        StateStore store = StateStore.open(dir);
        store(store, 1, "int8"); // installed, but the state was never written: a crash before activation

        StateStore reopened = StateStore.open(dir);

        assertEquals(Slot.A, reopened.find(manifest(1), "int8"));
        assertNull(reopened.find(manifest(1), "fp32"));
        assertNull(reopened.find(manifest(2), "int8"));
    }

    @Test
    void remove_variantTheStateNames_isRefused() throws IOException {
        StateStore store = StateStore.open(dir);
        store(store, 1, "int8");
        store(store, 1, "fp32");
        store.save(store.state().activated(installed(Slot.A, 1, "int8"), null, SHA));

        assertThrows(IllegalStateException.class, () -> store.remove(Slot.A, "int8"));
        store.remove(Slot.A, "fp32");

        assertEquals(List.of("int8"), store.variants(Slot.A));
    }

    @Test
    void pruneDownloads_dropsVersionsUpToTheActiveOne() throws IOException {
        StateStore store = StateStore.open(dir);
        for (long v = 1; v <= 3; v++) {
            Files.write(store.partialFile("fashion", v, "int8"), new byte[] {1});
        }

        store.pruneDownloads("fashion", 2);

        assertFalse(Files.exists(dir.resolve("downloads/fashion/1")));
        assertFalse(Files.exists(dir.resolve("downloads/fashion/2")));
        assertTrue(Files.exists(store.partialFile("fashion", 3, "int8")));
    }

    @Test
    void started_afterAnUncleanEndOnProbation_countsACrash() {
        AgentState s = AgentState.empty().activated(installed(Slot.A, 1, "int8"), null, SHA);

        AgentState crashedTwice = s.started().started().started();
        AgentState clean = s.started().stopped().started();
        AgentState confirmed = s.started().confirmed().started();

        assertEquals(2, crashedTwice.crashes());
        assertEquals(0, clean.crashes());
        assertEquals(0, confirmed.crashes());
        assertFalse(confirmed.probation());
    }

    @Test
    void activated_olderVersion_keepsTheNewestTrusted() {
        AgentState s = AgentState.empty().activated(installed(Slot.B, 3, "int8"), null, "cc".repeat(32))
                .activated(installed(Slot.A, 2, "int8"), installed(Slot.B, 3, "int8"), SHA);

        assertEquals(new AgentState.Trusted(3, "cc".repeat(32)), s.trusted().get("fashion"));
    }

    @Test
    void rolledBack_servesThePreviousModelTrustedAndForgetsTheBadOne() {
        AgentState s = AgentState.empty().activated(installed(Slot.A, 1, "int8"), null, SHA)
                .activated(installed(Slot.B, 2, "int8"), installed(Slot.A, 1, "int8"), SHA).started().started();

        AgentState back = s.rolledBack();

        assertEquals(installed(Slot.A, 1, "int8"), back.active());
        assertNull(back.previous());
        assertFalse(back.probation());
        assertEquals(0, back.crashes());
        assertEquals(2, back.trusted().get("fashion").version(), "a replay of v1's manifest stays refused");
    }

    @Test
    void checkName_pathTraversal_isRefused() {
        for (String bad : new String[] {"..", ".", "a/b", "", ".hidden", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> StateStore.checkName("model id", bad), bad);
        }
        assertEquals("fashion-mnist_v2.1", StateStore.checkName("model id", "fashion-mnist_v2.1"));
    }
}
