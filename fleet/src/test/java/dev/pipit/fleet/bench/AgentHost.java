package dev.pipit.fleet.bench;

import dev.pipit.agent.Agent;
import dev.pipit.fleet.testing.SimulatedDevices;
import dev.pipit.fleet.testing.SimulatedDevices.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One JVM of the scale benchmark's simulated devices: {@code count} real agents, ids
 * {@code bench-NNNN} from {@code first}, profiles in turn. Prints "ready" once all are connected and
 * runs until its standard input closes (the benchmark ends, or dies).
 *
 * <p>Arguments: broker URL, first index, count, state root, trusted public key.
 */
public final class AgentHost {

    static final List<String> PROFILES = List.of("x86-64-dev", "rpi-4b-2gb", "rpi-5-8gb");

    private AgentHost() {
    }

    public static void main(String[] args) throws Exception {
        String broker = args[0];
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        List<Device> devices = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            devices.add(new Device(String.format("bench-%04d", i), PROFILES.get(i % PROFILES.size()), "default"));
        }
        try (SimulatedDevices fleet = SimulatedDevices.start(broker, Path.of(args[3]), Path.of(args[4]), devices)) {
            fleet.awaitAll(Agent::isConnected, Duration.ofMinutes(5), "connected");
            System.out.println("ready " + count);
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the benchmark closes our standard input
            }
        }
        System.exit(0);
    }
}
