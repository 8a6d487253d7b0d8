package dev.pipit.fleet.rollout;

import dev.pipit.fleet.mqtt.BrokerOptions;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.RolloutState;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit fleet rollback}: the devices that took a rollout's release go back to the previous one. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Roll back the latest rollout of a model: halt it if it runs (taking it over from its "
                + "controller) and return the devices that activated its release — by the Rollback command, or with "
                + "--key by a rollback release (the previous payloads under a higher version, as devices refuse lower "
                + "ones). A completed rollout also gets its previous release back fleet-wide unless --group is given.",
                "Exit status: 0 when every device was rolled back, 1 otherwise."})
public final class RollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--model", paramLabel = "MODEL", required = true, description = "The model whose rollout to roll back.")
    String model;

    @Option(names = "--group", paramLabel = "GROUP", split = ",",
            description = "Only the devices of these groups (default: all of the rollout).")
    List<String> groups = List.of();

    @Option(names = "--key", paramLabel = "FILE", description = "signing.key for a rollback release.")
    Path key;

    @Option(names = "--lease", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long this controller's claim lasts unrenewed (default: ${DEFAULT-VALUE}).")
    long leaseSeconds;

    @Option(names = "--json", description = "Print the final rollout as one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        KeyPair signing = key == null ? null : KeyFiles.readSigningKey(key);
        RolloutState end;
        try (StopOnShutdown stop = new StopOnShutdown();
             RolloutController controller = RolloutController.open(broker.endpoint(), model,
                     Duration.ofSeconds(leaseSeconds), BundlePublisher.DEFAULT_MAX_IN_FLIGHT, spec.commandLine().getErr())) {
            end = controller.rollback(groups, signing);
        }
        RolloutOutput.print(end, json, spec.commandLine().getOut());
        return RolloutSummary.of(end).rollbackFailed() == 0 ? 0 : 1;
    }
}
