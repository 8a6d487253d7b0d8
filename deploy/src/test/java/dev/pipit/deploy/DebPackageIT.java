package dev.pipit.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Installs the agent's .deb with dpkg, checks what it put where, runs the installed launcher, and removes
 * it again. It changes the machine (a package and the system user pipit), so it needs root and dpkg: CI
 * runs as root. Anywhere else it fails, saying so, rather than pass without having checked anything;
 * skip the module there ('mvn verify -pl !deploy').
 */
class DebPackageIT {

    private static Path deb;

    /** The output and exit status of a command. */
    record Run(int code, String out) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 120 s");
        }
        return new Run(p.exitValue(), out);
    }

    @BeforeAll
    static void rootAndDpkg() throws Exception {
        boolean root = run("id", "-u").out().strip().equals("0");
        boolean dpkg = Files.isExecutable(Path.of("/usr/bin/dpkg"));
        if (!root || !dpkg) {
            fail("DebPackageIT installs the .deb with dpkg -i and so needs root and dpkg (root: " + root + ", dpkg: "
                    + dpkg + "); CI runs it as root. Elsewhere build without it: mvn verify -pl '!deploy'");
        }
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("pipit.deb.dir", "target")))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("pipit-agent_.*_all\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in target: " + debs);
            deb = debs.get(0);
        }
        if (run("dpkg-query", "-W", "pipit-agent").code() == 0) {
            run("dpkg", "--purge", "pipit-agent"); // left by an interrupted run
        }
    }

    /**
     * The installed agent, run as the unit runs it (user pipit, its config and state directory), loads its
     * profile and key and tries to reach the broker: its runtime classpath is complete.
     */
    private static List<String> signatureFiles(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile(), false)) {
            return j.stream().map(JarEntry::getName)
                    .filter(n -> n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")).toList();
        }
    }

    private static void assertStartsAsThePipitUser() throws Exception {
        Path dir = Files.createTempDirectory("pipit-deb");
        Path config = dir.resolve("agent.yaml");
        try {
            Run key = run("openssl", "genpkey", "-algorithm", "ed25519", "-out", dir.resolve("key.pem").toString());
            assertEquals(0, key.code(), key.out());
            assertEquals(0, run("openssl", "pkey", "-in", dir.resolve("key.pem").toString(), "-pubout", "-out",
                    dir.resolve("fleet.pub").toString()).code());
            Files.writeString(config, String.join("\n", "broker: tcp://127.0.0.1:9", "id: deb-test", "profile: rpi-zero-2w",
                    "state-dir: /var/lib/pipit", "trust: fleet.pub", ""));
            assertEquals(0, run("chmod", "-R", "a+rX", dir.toString()).code());
            Run agent = run("timeout", "-s", "TERM", "8", "runuser", "-u", "pipit", "--", "/usr/lib/pipit/bin/pipit-agent",
                    "--config", config.toString());
            assertTrue(agent.out().contains("INFO agent deb-test starting: profile rpi-zero-2w"), agent.out());
            assertTrue(agent.out().contains("cannot connect to tcp://127.0.0.1:9"), agent.out());
            assertTrue(Files.exists(Path.of("/var/lib/pipit/state.properties")), "state written by user pipit");
        } finally {
            run("rm", "-rf", dir.toString());
        }
    }

    @Test
    void deb_contents_areTheAgentAloneWithItsUnitConfigAndProfiles() throws Exception {
        Run listing = run("dpkg-deb", "--contents", deb.toString());
        assertEquals(0, listing.code(), listing.out());
        List<String> paths = new ArrayList<>();
        for (String line : listing.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            paths.add(f[5].replaceFirst("^\\.", ""));
        }
        for (String expected : List.of("/usr/lib/pipit/pipit-agent.jar", "/usr/lib/pipit/bin/pipit-agent",
                "/lib/systemd/system/pipit-agent.service", "/etc/pipit/agent.yaml", "/usr/lib/sysusers.d/pipit.conf",
                "/usr/share/pipit/profiles/rpi-zero-2w.yaml", "/usr/share/pipit/systemd/rpi-4b-2gb.conf")) {
            assertTrue(paths.contains(expected), expected + " in\n" + listing.out());
        }
        assertTrue(paths.stream().anyMatch(p -> p.matches("/usr/lib/pipit/lib/protobuf-java-.*\\.jar")), listing.out());
        for (String lib : List.of("pipit-runtime", "pipit-protocol", "pipit-device-profiles",
                "org.eclipse.paho.mqttv5.client", "picocli")) {
            assertTrue(paths.stream().anyMatch(p -> p.startsWith("/usr/lib/pipit/lib/" + lib + "-")), lib + " in\n"
                    + listing.out());
        }
        for (String module : List.of("compress", "fleet", "cli", "test", "deploy")) {
            assertFalse(paths.stream().anyMatch(p -> p.contains("pipit-" + module)), "no pipit-" + module + " in\n"
                    + listing.out());
        }
        assertFalse(paths.stream().anyMatch(p -> p.contains("hivemq") || p.contains("snakeyaml") || p.contains("jackson")
                || p.contains("junit")),
                listing.out());
    }

    @Test
    void dpkg_installThenRemove_putsEverythingInPlaceAndTakesItAway() throws Exception {
        Run install = run("dpkg", "--install", deb.toString());
        assertEquals(0, install.code(), install.out());
        try {
            for (String file : List.of("/usr/lib/pipit/pipit-agent.jar", "/lib/systemd/system/pipit-agent.service",
                    "/etc/pipit/agent.yaml", "/usr/share/pipit/profiles/rpi-4b-2gb.yaml", "/usr/bin/pipit-agent")) {
                assertTrue(Files.exists(Path.of(file)), file);
            }
            assertTrue(Files.isExecutable(Path.of("/usr/lib/pipit/bin/pipit-agent")));
            try (Stream<Path> libs = Files.list(Path.of("/usr/lib/pipit/lib"))) {
                assertTrue(libs.anyMatch(p -> p.getFileName().toString().startsWith("org.eclipse.paho.mqttv5.client")));
            }
            try (Stream<Path> libs = Files.list(Path.of("/usr/lib/pipit/lib"))) {
                for (Path lib : libs.toList()) {
                    assertEquals(List.of(), signatureFiles(lib), lib + ": the JVM would verify it at every start");
                }
            }
            assertEquals(0, run("id", "pipit").code(), "the system user exists");
            assertEquals("pipit pipit", run("stat", "-c", "%U %G", "/var/lib/pipit").out().strip());
            assertEquals("root pipit 640", run("stat", "-c", "%U %G %a", "/etc/pipit/agent.yaml").out().strip());
            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                Run verify = run("systemd-analyze", "verify", "/lib/systemd/system/pipit-agent.service");
                assertFalse(verify.out().contains("Unknown key") || verify.out().contains("Invalid"), verify.out());
            }

            Run help = run("/usr/lib/pipit/bin/pipit-agent", "--help");
            assertEquals(0, help.code(), help.out());
            assertTrue(help.out().startsWith("Usage: agent"), help.out());
            assertTrue(help.out().contains("--crash-loop-restarts"), help.out());
            assertStartsAsThePipitUser();
        } finally {
            Run remove = run("dpkg", "--remove", "pipit-agent");
            assertEquals(0, remove.code(), remove.out());
        }
        assertFalse(Files.exists(Path.of("/usr/lib/pipit/pipit-agent.jar")));
        assertFalse(Files.exists(Path.of("/usr/lib/pipit/lib")));
        assertFalse(Files.exists(Path.of("/lib/systemd/system/pipit-agent.service")));
        assertFalse(Files.exists(Path.of("/usr/bin/pipit-agent")));
        assertTrue(Files.exists(Path.of("/etc/pipit/agent.yaml")), "dpkg -r keeps a configuration file; --purge drops it");
        Run purge = run("dpkg", "--purge", "pipit-agent");
        assertEquals(0, purge.code(), purge.out());
        assertFalse(Files.exists(Path.of("/etc/pipit/agent.yaml")));
        assertFalse(Files.exists(Path.of("/var/lib/pipit")));
    }
}
