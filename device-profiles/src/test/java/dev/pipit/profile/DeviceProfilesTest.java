package dev.pipit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProfilesTest {

    /** The reference MLP is 784-256-128-10: 234,752 weights and 394 biases. */
    private static final long REFERENCE_FP32_BYTES = (234_752L + 394) * 4;
    private static final long REFERENCE_INT8_BYTES = 234_752L + 394 * 4;
    /** Its planned arena at batch 1 is a few KiB; 16 KiB is a generous bound. */
    private static final long ARENA_ALLOWANCE = 16 << 10;

    private static final String VALID = """
            name: test-board
            description: a board for tests
            ram: 256MiB
            cores: 2
            architecture: aarch64
            simd: [neon]
            model-memory-budget: 300KiB
            latency-budget-millis: 12.5
            accuracy-floor: 0.8
            """;

    @TempDir
    Path dir;

    @Test
    void load_everyBuiltInName_loadsProfileOfThatName() {
        for (String name : DeviceProfiles.builtInNames()) {
            DeviceProfile p = DeviceProfiles.load(name);
            assertEquals(name, p.name());
            assertTrue(p.modelMemoryBudgetBytes() < p.ramBytes(), name);
            assertTrue(!p.description().isBlank() && !p.simd().isEmpty(), name);
        }
    }

    @Test
    void load_zero2w_hasItsHardwareFacts() {
        DeviceProfile p = DeviceProfiles.load("rpi-zero-2w");
        assertEquals(512L << 20, p.ramBytes());
        assertEquals(4, p.cores());
        assertEquals("aarch64", p.architecture());
        assertEquals(Set.of("neon"), p.simd());
        assertEquals(512L << 10, p.modelMemoryBudgetBytes());
        assertEquals(Set.of("neon", "asimddp"), DeviceProfiles.load("rpi-5-8gb").simd());
        assertEquals(Set.of("neon"), DeviceProfiles.load("rpi-4b-2gb").simd());
    }

    @Test
    void builtIns_budgets_separateReferenceVariantsOnTheSmallestDevice() {
        DeviceProfile zero = DeviceProfiles.load("rpi-zero-2w");
        assertTrue(REFERENCE_INT8_BYTES + ARENA_ALLOWANCE <= zero.modelMemoryBudgetBytes());
        assertTrue(REFERENCE_FP32_BYTES > zero.modelMemoryBudgetBytes());
        for (String name : List.of("rpi-3b-plus", "rpi-4b-2gb", "rpi-5-8gb", "x86-64-dev")) {
            assertTrue(REFERENCE_FP32_BYTES + ARENA_ALLOWANCE <= DeviceProfiles.load(name).modelMemoryBudgetBytes(), name);
        }
    }

    @Test
    void builtInNames_areOrderedByGrowingBudget() {
        List<String> names = DeviceProfiles.builtInNames();
        for (int i = 1; i < names.size(); i++) {
            assertTrue(DeviceProfiles.load(names.get(i - 1)).modelMemoryBudgetBytes()
                    < DeviceProfiles.load(names.get(i)).modelMemoryBudgetBytes(), names.get(i));
        }
    }

    @Test
    void load_path_parsesEveryField() throws IOException {
        Path file = Files.writeString(dir.resolve("board.yaml"), VALID);
        DeviceProfile p = DeviceProfiles.load(file.toString());
        assertEquals(new DeviceProfile("test-board", "a board for tests", 256L << 20, 2, "aarch64", Set.of("neon"),
                300L << 10, 12.5, 0.8), p);
    }

    @Test
    void load_unknownName_listsBuiltInNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceProfiles.load("rpi-9"));
        assertTrue(e.getMessage().contains("'rpi-9'"), e.getMessage());
        for (String name : DeviceProfiles.builtInNames()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void load_missingFile_namesIt() {
        Path missing = dir.resolve("nope.yaml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceProfiles.load(missing.toString()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void load_badSize_namesFileAndField() throws IOException {
        assertFileError(VALID.replace("ram: 256MiB", "ram: lots"), "'ram'", "'lots'");
    }

    @Test
    void load_missingField_namesFileAndField() throws IOException {
        assertFileError(VALID.replace("cores: 2\n", ""), "'cores'", "missing");
    }

    @Test
    void load_wrongType_namesFileAndField() throws IOException {
        assertFileError(VALID.replace("cores: 2", "cores: four"), "'cores'", "whole number");
        assertFileError(VALID.replace("simd: [neon]", "simd: neon"), "'simd'", "list");
        assertFileError(VALID.replace("accuracy-floor: 0.8", "accuracy-floor: high"), "'accuracy-floor'", "number");
    }

    @Test
    void load_unknownField_namesItAndTheKnownOnes() throws IOException {
        assertFileError(VALID + "ramm: 1GiB\n", "'ramm'", "model-memory-budget");
    }

    @Test
    void load_budgetAboveRam_namesFileAndReason() throws IOException {
        assertFileError(VALID.replace("model-memory-budget: 300KiB", "model-memory-budget: 1GiB"), "budget", "RAM");
    }

    @Test
    void load_invalidYaml_namesFile() throws IOException {
        assertFileError("name: [unclosed\n", "not valid YAML");
        assertFileError(VALID + "cores: 3\n", "not valid YAML");
        assertFileError("- just\n- a list\n", "mapping");
        assertFileError("", "mapping");
    }

    private void assertFileError(String yaml, String... expectedParts) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), yaml);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceProfiles.load(file.toString()));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String part : expectedParts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }
}
