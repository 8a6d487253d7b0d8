package dev.pipit.fleet.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipit.fleet.mqtt.BrokerOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit fleet status}: every device's retained status and memory, as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show what each device runs and how much memory it uses, from its retained messages.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--json", description = "Print a JSON array of devices instead of a table.")
    boolean json;

    @Option(names = "--wait-millis", paramLabel = "MS", defaultValue = "1500",
            description = "How long to collect retained messages (default: ${DEFAULT-VALUE}).")
    long waitMillis;

    @Override
    public Integer call() throws Exception {
        if (waitMillis < 0) {
            throw new IllegalArgumentException("--wait-millis must not be negative, was " + waitMillis);
        }
        List<DeviceSummary> devices = FleetStatus.collect(broker.endpoint(), Duration.ofMillis(waitMillis));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(devices));
        } else {
            out.print(StatusTable.render(devices));
        }
        out.flush();
        return 0;
    }
}
