package dev.pipit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PipitTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Pipit.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void execute_helpOnEverySubcommand_printsUsageAndExitsZero() {
        for (String name : Pipit.commandLine().getSubcommands().keySet()) {
            Run r = run(name, "--help");
            assertEquals(0, r.code, name + " --help: " + r.err);
            assertTrue(r.out.contains("Usage: pipit " + name), name + " --help printed: " + r.out);
        }
    }

    @Test
    void execute_unknownOption_exitsNonZeroWithOneLineReason() {
        Run r = run("inspect", "--bundel", "x.pipit");
        assertTrue(r.code != 0);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains("--bundel"), r.err);
    }

    @Test
    void execute_malformedBundle_exitsNonZeroWithOneLineReasonAndNoStackTrace(@TempDir Path dir) throws Exception {
        Path bundle = dir.resolve("broken.pipit");
        Files.writeString(bundle, "PIPITB01 but nothing after");
        Run r = run("inspect", "--bundle", bundle.toString(), "--json");
        assertTrue(r.code != 0);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertFalse(r.err.contains("\tat "), r.err);
        assertTrue(r.out.isEmpty(), "nothing on stdout: " + r.out);
    }

    @Test
    void execute_missingBundleFile_namesTheFile(@TempDir Path dir) {
        Run r = run("eval", "--bundle", dir.resolve("nope.pipit").toString(), "--variant", "int8", "--dataset", "fashion-mnist");
        assertTrue(r.code != 0);
        assertTrue(r.err.contains("nope.pipit"), r.err);
    }
}
