package dev.pipit.fleet.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipit.fleet.mqtt.BrokerOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit fleet status}: every device's retained status and memory, and every rollout, as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show what each device runs and how much memory it uses, and how each model's latest rollout "
                + "progresses, from the broker's retained messages.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--json", description = "Print one JSON document instead of tables: an array with one object "
            + "per device, or with --rollouts an array with one object per rollout.")
    boolean json;

    @Option(names = "--rollouts", description = "Show only the rollouts (with --json: their array).")
    boolean rolloutsOnly;

    @Option(names = "--wait-millis", paramLabel = "MS", defaultValue = "1500",
            description = "How long to collect retained messages (default: ${DEFAULT-VALUE}).")
    long waitMillis;

    @Override
    public Integer call() throws Exception {
        if (waitMillis < 0) {
            throw new IllegalArgumentException("--wait-millis must not be negative, was " + waitMillis);
        }
        FleetStatus.Snapshot snapshot = FleetStatus.snapshot(broker.endpoint(), Duration.ofMillis(waitMillis));
        PrintWriter out = spec.commandLine().getOut();
        // --json keeps the walking skeleton's contract: a bare array of devices.
        if (json) {
            Object document = rolloutsOnly ? snapshot.rollouts() : snapshot.devices();
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        } else {
            if (!rolloutsOnly) {
                out.print(StatusTable.render(snapshot.devices()));
            }
            out.print(StatusTable.renderRollouts(snapshot.rollouts()));
        }
        out.flush();
        return 0;
    }
}
