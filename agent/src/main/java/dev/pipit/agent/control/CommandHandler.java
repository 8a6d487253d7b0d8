package dev.pipit.agent.control;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import java.util.function.Consumer;

/**
 * Answers Commands from the fleet, each with a result code and a reason: OK, REJECTED (the command
 * cannot apply here, e.g. a version that is not stored), FAILED (it was tried and did not work, e.g. a
 * stored model fails its checks), PRECONDITION_FAILED (the device is not in the state the command expects,
 * e.g. a Rollback from a version it no longer runs). Tune answers when its measurements are done.
 */
public final class CommandHandler {

    /** Upper bound of SetReportInterval: a day. */
    public static final int MAX_REPORT_INTERVAL_SECONDS = 86_400;

    /** What the commands do; every method runs on the agent's scheduler thread. */
    public interface Actions {
        /** Publishes status and memory now. */
        void reportNow();

        CommandResult activate(long version, String variant);

        /** Rolls back from {@code expectedVersion} of {@code modelId} (empty: any model), only if that serves. */
        CommandResult rollback(long expectedVersion, String modelId);

        CommandResult setReportInterval(int seconds);

        /** Starts measuring; {@code answer} receives the result, now or when tuning ends. */
        void tune(int iterations, Consumer<CommandResult> answer);
    }

    private final Actions actions;

    public CommandHandler(Actions actions) {
        this.actions = actions;
    }

    /** Parses and carries out a command; {@code answer} is called exactly once. */
    public void handle(byte[] commandBytes, Consumer<CommandResult> answer) {
        Command command;
        try {
            command = Command.parseFrom(commandBytes);
        } catch (InvalidProtocolBufferException e) {
            answer.accept(result(CommandResult.Code.REJECTED, "not a Command: " + e.getMessage()));
            return;
        }
        switch (command.getKindCase()) {
            case REPORT_NOW -> {
                actions.reportNow();
                answer.accept(result(CommandResult.Code.OK, "status and memory report published"));
            }
            case ACTIVATE -> {
                String variant = command.getActivate().getVariant();
                if (command.getActivate().getVersion() == 0 || variant.isEmpty()) {
                    answer.accept(result(CommandResult.Code.REJECTED, "activate needs a version and a variant"));
                } else {
                    answer.accept(actions.activate(command.getActivate().getVersion(), variant));
                }
            }
            case ROLLBACK -> {
                // without the version it rolls back from, a Rollback sent twice would toggle between two models
                if (command.getRollback().getExpectedVersion() == 0) {
                    answer.accept(result(CommandResult.Code.REJECTED,
                            "rollback needs expected_version, the version it rolls back from"));
                } else {
                    answer.accept(actions.rollback(command.getRollback().getExpectedVersion(),
                            command.getRollback().getModelId()));
                }
            }
            case SET_REPORT_INTERVAL -> {
                int s = command.getSetReportInterval().getSeconds();
                if (s < 1 || s > MAX_REPORT_INTERVAL_SECONDS) {
                    answer.accept(result(CommandResult.Code.REJECTED, "report interval must be 1 to "
                            + MAX_REPORT_INTERVAL_SECONDS + " seconds, was " + Integer.toUnsignedString(s)));
                } else {
                    answer.accept(actions.setReportInterval(s));
                }
            }
            case TUNE -> actions.tune(command.getTune().getIterations(), answer);
            case KIND_NOT_SET -> answer.accept(result(CommandResult.Code.REJECTED, "command names no action this agent knows"));
        }
    }

    public static CommandResult result(CommandResult.Code code, String reason) {
        return CommandResult.newBuilder().setCode(code).setReason(reason).build();
    }
}
