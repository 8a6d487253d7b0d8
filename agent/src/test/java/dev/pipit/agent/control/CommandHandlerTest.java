package dev.pipit.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.protocol.v1.Activate;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Rollback;
import dev.pipit.protocol.v1.SetReportInterval;
import dev.pipit.protocol.v1.Tune;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CommandHandlerTest {

    /** Records what the handler asked for, answering with the action's name. */
    private final List<String> calls = new ArrayList<>();
    private final CommandHandler handler = new CommandHandler(new CommandHandler.Actions() {
        @Override
        public void reportNow() {
            calls.add("report");
        }

        @Override
        public CommandResult activate(long version, String variant) {
            calls.add("activate " + version + " " + variant);
            return CommandHandler.result(CommandResult.Code.OK, "activated");
        }

        @Override
        public CommandResult rollback(long expectedVersion, String modelId) {
            calls.add("rollback " + expectedVersion + " " + modelId);
            return CommandHandler.result(CommandResult.Code.REJECTED, "there is no model to roll back to");
        }

        @Override
        public CommandResult setReportInterval(int seconds) {
            calls.add("interval " + seconds);
            return CommandHandler.result(CommandResult.Code.OK, "reports every " + seconds + " s");
        }

        @Override
        public void tune(int iterations, Consumer<CommandResult> answer) {
            calls.add("tune " + iterations);
            answer.accept(CommandHandler.result(CommandResult.Code.OK, "tuned"));
        }
    });

    private CommandResult handle(Command c) {
        return handle(c.toByteArray());
    }

    private CommandResult handle(byte[] bytes) {
        List<CommandResult> answers = new ArrayList<>();
        handler.handle(bytes, answers::add);
        assertEquals(1, answers.size(), "exactly one answer");
        return answers.get(0);
    }

    @Test
    void handle_reportNow_reportsAndAnswersOk() {
        CommandResult r = handle(Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build());

        assertEquals(CommandResult.Code.OK, r.getCode());
        assertEquals(List.of("report"), calls);
    }

    @Test
    void handle_activate_passesVersionAndVariant() {
        CommandResult r = handle(Command.newBuilder().setActivate(Activate.newBuilder().setVersion(3).setVariant("fp32"))
                .build());

        assertEquals(CommandResult.Code.OK, r.getCode());
        assertEquals(List.of("activate 3 fp32"), calls);
    }

    @Test
    void handle_activateWithoutVariant_isRejectedWithoutAction() {
        CommandResult r = handle(Command.newBuilder().setActivate(Activate.newBuilder().setVersion(3)).build());

        assertEquals(CommandResult.Code.REJECTED, r.getCode());
        assertEquals("activate needs a version and a variant", r.getReason());
        assertEquals(List.of(), calls);
    }

    @Test
    void handle_rollback_answersWhatTheActionSays() {
        CommandResult r = handle(Command.newBuilder().setRollback(Rollback.newBuilder().setExpectedVersion(2)
                .setModelId("tiny")).build());

        assertEquals(CommandResult.Code.REJECTED, r.getCode());
        assertEquals("there is no model to roll back to", r.getReason());
        assertEquals(List.of("rollback 2 tiny"), calls);
    }

    @Test
    void handle_rollbackWithoutExpectedVersion_isRejectedWithoutAction() {
        CommandResult r = handle(Command.newBuilder().setRollback(Rollback.getDefaultInstance()).build());

        assertEquals(CommandResult.Code.REJECTED, r.getCode());
        assertEquals("rollback needs expected_version, the version it rolls back from", r.getReason());
        assertEquals(List.of(), calls);
    }

    @Test
    void handle_reportIntervalOutOfRange_isRejected() {
        CommandResult zero = handle(Command.newBuilder().setSetReportInterval(SetReportInterval.newBuilder()).build());
        CommandResult ok = handle(Command.newBuilder().setSetReportInterval(SetReportInterval.newBuilder().setSeconds(5))
                .build());

        assertEquals(CommandResult.Code.REJECTED, zero.getCode());
        assertEquals("report interval must be 1 to 86400 seconds, was 0", zero.getReason());
        assertEquals(CommandResult.Code.OK, ok.getCode());
        assertEquals(List.of("interval 5"), calls);
    }

    @Test
    void handle_tune_answersThroughTheCallback() {
        CommandResult r = handle(Command.newBuilder().setTune(Tune.newBuilder().setIterations(50)).build());

        assertEquals("tuned", r.getReason());
        assertEquals(List.of("tune 50"), calls);
    }

    @Test
    void handle_garbage_isRejected() {
        assertEquals(CommandResult.Code.REJECTED, handle(new byte[] {(byte) 0xff}).getCode());
    }

    @Test
    void handle_emptyCommand_isRejected() {
        assertEquals(CommandResult.Code.REJECTED, handle(new byte[0]).getCode());
        assertEquals(List.of(), calls);
    }
}
