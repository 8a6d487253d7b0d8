package dev.pipit.agent.command;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Agent logging for a terminal or the journal: one line per event on stderr, stack traces only for errors. */
final class OneLineLog extends Formatter {

    /** Held so the configuration is not garbage-collected with the logger (JUL keeps loggers weakly). */
    private static final Logger AGENT = Logger.getLogger("dev.pipit.agent");

    static void install(boolean verbose) {
        ConsoleHandler handler = new ConsoleHandler(); // writes to System.err
        handler.setFormatter(new OneLineLog());
        handler.setLevel(verbose ? Level.FINE : Level.INFO);
        AGENT.setLevel(verbose ? Level.FINE : Level.INFO);
        AGENT.setUseParentHandlers(false);
        for (var h : AGENT.getHandlers()) {
            AGENT.removeHandler(h);
        }
        AGENT.addHandler(handler);
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                .append(r.getLevel().getName()).append(' ')
                .append(formatMessage(r)).append(System.lineSeparator());
        if (r.getThrown() != null) {
            line.append(r.getThrown()).append(System.lineSeparator());
            for (StackTraceElement e : r.getThrown().getStackTrace()) {
                line.append("\tat ").append(e).append(System.lineSeparator());
            }
        }
        return line.toString();
    }
}
