package dev.pipit.compress.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxCheckCommandTest {

    private static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    @Test
    void call_json_oneDocumentWithEveryCase() throws Exception {
        OnnxCheckCommand command = new OnnxCheckCommand();
        command.dirs = List.of(NODE_TESTS.resolve("test_relu"), NODE_TESTS.resolve("test_maxpool_3d_default"));
        command.json = true;
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = command.call();
        } finally {
            System.setOut(original);
        }

        JsonNode doc = JsonOutput.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(0, status);
        assertEquals(1, doc.get("pass").asInt());
        assertEquals(1, doc.get("unsupported").asInt());
        assertEquals("test_relu", doc.get("cases").get(0).get("name").asText());
        assertEquals("unsupported", doc.get("cases").get(1).get("status").asText());
    }

    @Test
    void call_folderWithoutModel_failsTheCase(@TempDir Path empty) {
        OnnxCheckCommand command = new OnnxCheckCommand();
        command.dirs = List.of(empty);

        assertEquals(1, command.call());
    }

    @Test
    void call_missingFolder_throwsWithReason(@TempDir Path tmp) {
        OnnxCheckCommand command = new OnnxCheckCommand();
        command.dirs = List.of(tmp.resolve("absent"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, command::call);
        assertEquals(tmp.resolve("absent") + " is not a folder", e.getMessage());
    }
}
