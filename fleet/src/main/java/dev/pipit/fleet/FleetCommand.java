package dev.pipit.fleet;

import dev.pipit.fleet.coap.CoapServeCommand;
import dev.pipit.fleet.publish.PublishCommand;
import dev.pipit.fleet.rollout.RollbackCommand;
import dev.pipit.fleet.rollout.RolloutCommand;
import dev.pipit.fleet.status.StatusCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pipit fleet}: the operator's side of the MQTT protocol. */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = "Publish bundles to devices, roll them out in stages, roll them back, and see what devices run.",
        subcommands = {PublishCommand.class, RolloutCommand.class, RollbackCommand.class, StatusCommand.class,
                CoapServeCommand.class})
public final class FleetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "fleet needs a subcommand: publish, rollout, rollback, status or coap-serve");
    }
}
