package dev.pipit.agent.control;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import java.util.Locale;

/**
 * Answers Commands from the fleet. ReportNow is served; Activate, Rollback and SetReportInterval are
 * answered UNSUPPORTED with a reason until the agent implements them.
 */
public final class CommandHandler {

    private final Runnable reportNow;

    /** @param reportNow publishes the status and memory report (on the caller's thread) */
    public CommandHandler(Runnable reportNow) {
        this.reportNow = reportNow;
    }

    public CommandResult handle(byte[] commandBytes) {
        Command command;
        try {
            command = Command.parseFrom(commandBytes);
        } catch (InvalidProtocolBufferException e) {
            return result(CommandResult.Code.REJECTED, "not a Command: " + e.getMessage());
        }
        return switch (command.getKindCase()) {
            case REPORT_NOW -> {
                reportNow.run();
                yield result(CommandResult.Code.OK, "status and memory report published");
            }
            case ACTIVATE, ROLLBACK, SET_REPORT_INTERVAL -> result(CommandResult.Code.UNSUPPORTED,
                    command.getKindCase().name().toLowerCase(Locale.ROOT)
                            + " is not supported by this agent version");
            case KIND_NOT_SET -> result(CommandResult.Code.REJECTED, "command names no action this agent knows");
        };
    }

    private static CommandResult result(CommandResult.Code code, String reason) {
        return CommandResult.newBuilder().setCode(code).setReason(reason).build();
    }
}
