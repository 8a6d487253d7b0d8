package dev.pipit.agent.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The agent as a device runs it: its own JVM ({@code AgentCommand --config FILE --verbose}) with the small
 * device's JVM options, its stderr log collected line by line, killable with SIGKILL at any instant.
 */
public final class AgentProcess implements AutoCloseable {

    private static final String MAIN = "dev.pipit.agent.command.AgentCommand";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private AgentProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "agent-process-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ... AgentCommand --config FILE --verbose}. */
    public static AgentProcess start(Path config) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k",
                "-cp", System.getProperty("java.class.path"), MAIN, "--config", config.toString(), "--verbose");
        return new AgentProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process died: its output ends here
        }
    }

    /** The log so far. */
    public List<String> log() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits for a log line that matches, or for the process to end; returns the line or null. */
    public String await(Predicate<String> condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (condition.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                    return null;
                }
                lines.wait(Math.max(1, Math.min(50, left / 1_000_000)));
            }
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, as a power cut or the kernel's OOM killer: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        reader.join(2000);
    }

    /** SIGTERM: the agent stops cleanly. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(2000);
    }
}
