package dev.pipit.fleet.rollout;

import dev.pipit.fleet.mqtt.BrokerOptions;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.protocol.bundle.BundleFile;
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

/** {@code pipit fleet rollout}: a release to the fleet step by step, halting and rolling back on failures. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {"Roll a bundle out group by group: a canary, then steps of a percentage of the group. A step "
                + "passes when its devices run the release healthily (active, golden check passed, memory within "
                + "budget, inference probe answered) within --wait-healthy; past --max-failures the rollout halts "
                + "and the devices that activated the release are rolled back. The state is retained on the broker: "
                + "running the same command again (or on another machine) resumes it.",
                "Exit status: 0 completed, 1 halted."})
public final class RolloutCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--bundle", paramLabel = "FILE", required = true, description = "The bundle to roll out.")
    Path bundle;

    @Option(names = "--group", paramLabel = "GROUP", split = ",",
            description = "Device groups in rollout order (repeat or comma-separate; default: every group, by name).")
    List<String> groups = List.of();

    @Option(names = "--canary", paramLabel = "N", defaultValue = "1",
            description = "Devices in the first step of each group (default: ${DEFAULT-VALUE}).")
    int canary;

    @Option(names = "--step", paramLabel = "PCT", defaultValue = "25",
            description = "Percentage of a group's devices per later step (default: ${DEFAULT-VALUE}).")
    int stepPercent;

    @Option(names = "--max-failures", paramLabel = "PCT", defaultValue = "10",
            description = "Halt when more than this percentage of the judged devices failed (default: ${DEFAULT-VALUE}).")
    int maxFailuresPercent;

    @Option(names = "--min-devices", paramLabel = "N",
            description = "Judged devices before --max-failures applies (default: the canary size, at least 1).")
    Integer minDevices;

    @Option(names = "--wait-healthy", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long a device has to run the release healthily (default: ${DEFAULT-VALUE}).")
    long waitHealthySeconds;

    @Option(names = "--key", paramLabel = "FILE",
            description = "signing.key: signs a rollback release (previous payloads, higher version) for devices "
                    + "that do not serve the Rollback command.")
    Path key;

    @Option(names = "--lease", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long this controller's claim lasts unrenewed; another resumes after (default: ${DEFAULT-VALUE}).")
    long leaseSeconds;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "" + BundlePublisher.DEFAULT_MAX_IN_FLIGHT,
            description = "QoS 1 chunk messages awaiting acknowledgement at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--json", description = "Print the final rollout as one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RolloutPolicy policy = new RolloutPolicy(groups, canary, stepPercent, maxFailuresPercent,
                minDevices != null ? minDevices : Math.max(1, canary), Duration.ofSeconds(waitHealthySeconds));
        KeyPair signing = key == null ? null : KeyFiles.readSigningKey(key);
        BundleFile release = BundlePublisher.open(bundle);
        RolloutState end;
        try (StopOnShutdown stop = new StopOnShutdown();
             RolloutController controller = RolloutController.open(broker.endpoint(), release.manifest().getModelId(),
                     Duration.ofSeconds(leaseSeconds), maxInFlight, spec.commandLine().getErr())) {
            end = controller.rollout(release, policy, signing);
        }
        return RolloutOutput.print(end, json, spec.commandLine().getOut());
    }
}
