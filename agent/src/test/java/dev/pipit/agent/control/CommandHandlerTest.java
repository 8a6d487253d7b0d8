package dev.pipit.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.ReportNow;
import dev.pipit.protocol.v1.Rollback;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommandHandlerTest {

    private final AtomicInteger reports = new AtomicInteger();
    private final CommandHandler handler = new CommandHandler(reports::incrementAndGet);

    @Test
    void handle_reportNow_reportsAndAnswersOk() {
        CommandResult r = handler.handle(Command.newBuilder().setReportNow(ReportNow.getDefaultInstance()).build()
                .toByteArray());

        assertEquals(CommandResult.Code.OK, r.getCode());
        assertEquals(1, reports.get());
    }

    @Test
    void handle_rollback_isUnsupportedWithReason() {
        CommandResult r = handler.handle(Command.newBuilder().setRollback(Rollback.getDefaultInstance()).build()
                .toByteArray());

        assertEquals(CommandResult.Code.UNSUPPORTED, r.getCode());
        assertEquals("rollback is not supported by this agent version", r.getReason());
        assertEquals(0, reports.get());
    }

    @Test
    void handle_garbage_isRejected() {
        CommandResult r = handler.handle(new byte[] {(byte) 0xff});

        assertEquals(CommandResult.Code.REJECTED, r.getCode());
    }

    @Test
    void handle_emptyCommand_isRejected() {
        assertEquals(CommandResult.Code.REJECTED, handler.handle(new byte[0]).getCode());
    }
}
