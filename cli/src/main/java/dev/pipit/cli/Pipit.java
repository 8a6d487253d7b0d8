package dev.pipit.cli;

import dev.pipit.cli.demo.DemoCommand;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./pipit} command: every subcommand lives in the module that owns its work (compress,
 * agent, fleet); this class only gathers them and turns failures into one-line reasons.
 */
@Command(name = "pipit", mixinStandardHelpOptions = true, version = "pipit 0.1.0",
        description = {"Compressed neural networks for Raspberry Pi-class devices, delivered over MQTT.",
                "Add --verbose to any command to see stack traces of failures."},
        subcommands = {
                DemoCommand.class,
                dev.pipit.compress.command.TrainCommand.class,
                dev.pipit.compress.command.CompressCommand.class,
                dev.pipit.compress.command.InspectCommand.class,
                dev.pipit.compress.command.EvalCommand.class,
                dev.pipit.compress.command.BenchCommand.class,
                dev.pipit.compress.command.KeysCommand.class,
                dev.pipit.compress.command.ExportOnnxCommand.class,
                dev.pipit.compress.command.OnnxCheckCommand.class,
                dev.pipit.agent.command.AgentCommand.class,
                dev.pipit.fleet.FleetCommand.class,
                dev.pipit.fleet.broker.BrokerCommand.class,
        })
public final class Pipit {

    public static void main(String[] args) {
        // --verbose is accepted anywhere on the line; the agent has a --verbose of its own and keeps it.
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = !rest.isEmpty() && !rest.get(0).equals("agent") && rest.removeIf("--verbose"::equals);
        System.exit(commandLine(verbose).execute(rest.toArray(String[]::new)));
    }

    /** The configured command line, for tests and for the demo, which runs the same commands. */
    public static CommandLine commandLine() {
        return commandLine(false);
    }

    /** With {@code verbose}, failures print their stack trace as well as their reason. */
    public static CommandLine commandLine(boolean verbose) {
        CommandLine cl = new CommandLine(new Pipit());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (verbose) {
                e.printStackTrace(err);
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("pipit " + commandLine.getCommandName() + ": " + reason.lines().findFirst().orElse(reason));
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            // An unknown option often also leaves a required one missing: name the unknown one first.
            String reason = c.getUnmatchedArguments().isEmpty() ? e.getMessage()
                    : "unknown option or argument: " + String.join(" ", c.getUnmatchedArguments());
            c.getErr().println("pipit " + c.getCommandName() + ": " + reason
                    + " (see 'pipit " + c.getCommandName() + " --help')");
            return 2;
        });
        return cl;
    }
}
