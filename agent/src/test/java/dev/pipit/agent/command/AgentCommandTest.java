package dev.pipit.agent.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.agent.AgentConfig;
import dev.pipit.profile.DeviceProfiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {

    @TempDir
    Path dir;

    private static AgentConfig parse(String... args) throws Exception {
        AgentCommand c = new AgentCommand();
        new CommandLine(c).parseArgs(args);
        return c.config();
    }

    @Test
    void config_flags_buildTheConfig() throws Exception {
        AgentConfig c = parse("--broker", "tcp://localhost:1883", "--id", "pi-1", "--profile", "rpi-4b-2gb",
                "--state-dir", "/var/lib/pipit", "--trust", "a.pub,b.pub", "--report-interval", "15");

        assertEquals("tcp://localhost:1883", c.brokerUrl());
        assertEquals("pi-1", c.deviceId());
        assertEquals(DeviceProfiles.load("rpi-4b-2gb"), c.profile());
        assertEquals(Path.of("/var/lib/pipit"), c.stateDir());
        assertEquals(List.of(Path.of("a.pub"), Path.of("b.pub")), c.trustedKeys());
        assertEquals(15, c.reportIntervalSeconds());
        assertEquals(AgentConfig.DEFAULT_CHUNK_WINDOW, c.chunkWindow());
        assertNull(c.username());
    }

    @Test
    void config_fileWithFlagOverride_flagsWinAndPathsAreRelativeToTheFile() throws Exception {
        Path conf = dir.resolve("etc/agent.yaml");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, String.join("\n",
                "broker: tcp://fleet:1883",
                "id: pi-2",
                "profile: rpi-zero-2w",
                "state-dir: state",
                "trust: keys/fleet.pub",
                "chunk-window: 4",
                "max-payload-bytes: 8MiB",
                "username: pi-2",
                "password-file: secret"));
        Files.writeString(dir.resolve("etc/secret"), "hunter2\n");

        AgentConfig c = parse("--config", conf.toString(), "--id", "pi-3");

        assertEquals("pi-3", c.deviceId());
        assertEquals("tcp://fleet:1883", c.brokerUrl());
        assertEquals("rpi-zero-2w", c.profile().name());
        assertEquals(dir.resolve("etc/state").toAbsolutePath(), c.stateDir());
        assertEquals(List.of(dir.resolve("etc/keys/fleet.pub").toAbsolutePath()), c.trustedKeys());
        assertEquals(4, c.chunkWindow());
        assertEquals(8L << 20, c.limits().maxPayloadBytes());
        assertEquals("hunter2", c.password());
        assertTrue(!c.toString().contains("hunter2"), c.toString());
    }

    @Test
    void config_brokerMissing_saysWhichOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--id", "pi-1",
                "--profile", "rpi-4b-2gb", "--state-dir", "s", "--trust", "a.pub"));

        assertEquals("missing --broker (or 'broker:' in the --config file)", e.getMessage());
    }

    @Test
    void config_unknownProfile_isExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--broker", "tcp://x:1",
                "--id", "pi-1", "--profile", "toaster", "--state-dir", "s", "--trust", "a.pub"));

        assertTrue(e.getMessage().startsWith("unknown device profile 'toaster'"), e.getMessage());
    }

    @Test
    void config_badNumber_namesTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--broker", "tcp://x:1",
                "--id", "pi-1", "--profile", "rpi-4b-2gb", "--state-dir", "s", "--trust", "a.pub",
                "--report-interval", "soon"));

        assertEquals("--report-interval must be a positive whole number, was 'soon'", e.getMessage());
    }

    @Test
    void help_mixin_printsUsageWithEveryOption() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new AgentCommand()).setOut(new PrintWriter(out)).execute("--help");

        assertEquals(0, code);
        for (String option : new String[] {"--broker", "--id", "--profile", "--state-dir", "--trust", "--config",
                "--report-interval", "--chunk-window", "--stall-timeout"}) {
            assertTrue(out.toString().contains(option), option);
        }
        assertTrue(out.toString().startsWith("Usage: agent"), out.toString());
    }

    @Test
    void call_trustedKeyMissing_failsWithOneLineReason() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new AgentCommand()).setErr(new PrintWriter(err));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("agent: " + e.getMessage());
            return 1;
        });

        int code = cl.execute("--broker", "tcp://127.0.0.1:1", "--id", "pi-1", "--profile", "rpi-4b-2gb",
                "--state-dir", dir.resolve("state").toString(), "--trust", dir.resolve("missing.pub").toString());

        assertEquals(1, code);
        assertEquals("agent: trusted key " + dir.resolve("missing.pub") + " does not exist", err.toString().strip());
    }
}
