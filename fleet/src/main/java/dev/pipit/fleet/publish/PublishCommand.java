package dev.pipit.fleet.publish;

import dev.pipit.fleet.mqtt.BrokerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit fleet publish}: a bundle's chunks, then its manifest, retained on the broker. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish a bundle to every device at once: every chunk retained (QoS 1), then the signed "
                + "manifest last. Refuses a version not newer than the retained release unless --force.")
public final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions broker;

    @Option(names = "--bundle", paramLabel = "FILE", required = true, description = "The bundle to publish.")
    Path bundle;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "" + BundlePublisher.DEFAULT_MAX_IN_FLIGHT,
            description = "QoS 1 messages awaiting acknowledgement at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--force", description = "Publish even if the broker retains a release of the same or a newer "
            + "version (devices that accepted a newer one still refuse it).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        BundlePublisher.Result r =
                new BundlePublisher(broker.endpoint(), maxInFlight, spec.commandLine().getErr()).publish(bundle, force);
        spec.commandLine().getOut().printf("published %s v%d: %d variants, %d chunks, %d bytes in %d ms%n",
                r.modelId(), r.version(), r.variants(), r.chunks(), r.payloadBytes(), r.millis());
        return 0;
    }
}
