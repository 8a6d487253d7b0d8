package dev.pipit.agent.command;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging for a terminal or the journal: one line per event on stderr, stack traces only where a
 * throwable is logged. Covers every {@code dev.pipit} logger (agent and runtime).
 */
final class OneLineLog extends Handler {

    /** Held so the configuration is not garbage-collected with the logger (JUL keeps loggers weakly). */
    private static final Logger PIPIT = Logger.getLogger("dev.pipit");
    private static final OneLineLog HANDLER = new OneLineLog();

    private volatile boolean closed;

    private OneLineLog() {
        setFormatter(new OneLine());
    }

    static void install(boolean verbose) {
        Level level = verbose ? Level.FINE : Level.INFO;
        HANDLER.setLevel(level);
        PIPIT.setLevel(level);
        PIPIT.setUseParentHandlers(false);
        for (Handler h : PIPIT.getHandlers()) {
            PIPIT.removeHandler(h);
        }
        PIPIT.addHandler(HANDLER);
    }

    /**
     * Prints a line that logging may have dropped: during JVM shutdown, LogManager's own shutdown hook
     * removes every handler, possibly before the agent's hook has logged its last events.
     */
    static void ifDropped(String message) {
        if (HANDLER.closed) {
            System.err.print(HANDLER.getFormatter().format(new LogRecord(Level.INFO, message)));
            System.err.flush();
        }
    }

    @Override
    public void publish(LogRecord r) {
        if (isLoggable(r)) {
            System.err.print(getFormatter().format(r));
        }
    }

    @Override
    public void flush() {
        System.err.flush();
    }

    @Override
    public void close() {
        closed = true; // System.err itself stays open
        flush();
    }

    private static final class OneLine extends Formatter {

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
}
