package dev.pipit.fleet.testing;

import dev.pipit.fleet.FleetCommand;
import picocli.CommandLine;

/** {@code pipit fleet ...} as a process of its own, for tests that kill a controller mid-way. */
public final class FleetMain {

    private FleetMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FleetCommand()).execute(args));
    }
}
