package dev.pipit.cli.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simulated device: the agent in its own JVM, so that its heap and RSS are its own and it runs on
 * the agent's classpath alone (devices do not carry the toolkit) when the build's agent jars exist.
 */
final class DeviceProcess implements AutoCloseable {

    static final String AGENT_MAIN = "dev.pipit.agent.command.AgentCommand";

    final String id;
    final String profile;
    private final Process process;

    private DeviceProcess(String id, String profile, Process process) {
        this.id = id;
        this.profile = profile;
        this.process = process;
    }

    /** Starts an agent with the small-device JVM settings of the Greengrass "reduced" profile. */
    static DeviceProcess start(String id, String profile, String brokerUrl, Path stateDir, Path trustedKey, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "--add-modules", "jdk.incubator.vector",
                "-cp", agentClasspath(), AGENT_MAIN,
                "--broker", brokerUrl, "--id", id, "--profile", profile,
                "--state-dir", stateDir.toString(), "--trust", trustedKey.toString(),
                "--report-interval", "5"));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new DeviceProcess(id, profile, p);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, so the agent publishes its offline status; SIGKILL if it does not exit in time. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The agent module's jar and libraries when launched from a build tree; else this JVM's classpath. */
    private static String agentClasspath() {
        String home = System.getProperty("pipit.home");
        if (home != null) {
            Path target = Path.of(home, "agent", "target");
            Path jar = target.resolve("pipit-agent-0.1.0-SNAPSHOT.jar");
            if (Files.isRegularFile(jar) && Files.isDirectory(target.resolve("lib"))) {
                return jar + File.pathSeparator + target.resolve("lib") + File.separator + "*";
            }
        }
        return System.getProperty("java.class.path");
    }
}
