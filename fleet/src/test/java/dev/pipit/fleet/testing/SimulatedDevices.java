package dev.pipit.fleet.testing;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.profile.DeviceProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Real agents ({@link Agent}) in this JVM, each with its own state directory, MQTT session and device
 * profile: the devices of rollout tests and of the scale benchmark.
 */
public final class SimulatedDevices implements AutoCloseable {

    /** One device: its id, built-in profile and rollout group. */
    public record Device(String id, String profile, String group) {
    }

    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final Map<String, AgentConfig> configs = new LinkedHashMap<>();

    private SimulatedDevices() {
    }

    /** Starts every device; they connect in the background. */
    public static SimulatedDevices start(String brokerUrl, Path stateRoot, Path trustedKey, List<Device> devices)
            throws IOException {
        SimulatedDevices fleet = new SimulatedDevices();
        try {
            for (Device d : devices) {
                AgentConfig config = AgentConfig.of(brokerUrl, d.id(), DeviceProfiles.load(d.profile()),
                        Files.createDirectories(stateRoot.resolve(d.id())), List.of(trustedKey)).withGroup(d.group());
                fleet.configs.put(d.id(), config);
                fleet.agents.put(d.id(), Agent.start(config));
            }
            return fleet;
        } catch (IOException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    public Agent agent(String id) {
        return agents.get(id);
    }

    /** Stops one device as a clean shutdown does; {@link #restart} brings it back with the same state. */
    public void stop(String id) {
        agents.get(id).close();
    }

    public void restart(String id) throws IOException {
        agents.put(id, Agent.start(configs.get(id)));
    }

    public List<Agent> agents() {
        return List.copyOf(agents.values());
    }

    /** Waits until every agent satisfies {@code condition}; fails naming the ones that do not. */
    public void awaitAll(Predicate<Agent> condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> missing = new ArrayList<>();
            agents.forEach((id, a) -> {
                if (!condition.test(a)) {
                    missing.add(id + " (" + a.active().map(m -> m.getModelId() + " v" + m.getVersion() + " "
                            + m.getVariant()).orElse("no model") + a.lastRejection().map(r -> ", rejected v"
                            + r.getVersion() + ": " + r.getReason()).orElse("") + ")");
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(missing.size() + " devices never " + what + ": " + missing);
            }
            Thread.sleep(100);
        }
    }

    /** Stops every agent, in parallel (each publishes its offline status and disconnects). */
    @Override
    public void close() {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(32, agents.size())));
        agents.values().forEach(a -> pool.execute(a::close));
        pool.shutdown();
        try {
            pool.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
