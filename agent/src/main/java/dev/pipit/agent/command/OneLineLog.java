package dev.pipit.agent.command;

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

    /**
     * Appends {@code 2026-11-29T05:44:28.803Z}, what {@code Instant.toString} prints for whole milliseconds,
     * without java.time.format: its formatter machinery is some 70 classes a small device does not need.
     */
    static StringBuilder appendUtc(StringBuilder b, long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        long ms = Math.floorMod(epochMillis, 86_400_000L);
        // civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        b.append(year).append('-');
        pad(b, month, 2).append('-');
        pad(b, day, 2).append('T');
        pad(b, ms / 3_600_000, 2).append(':');
        pad(b, ms / 60_000 % 60, 2).append(':');
        pad(b, ms / 1000 % 60, 2).append('.');
        return pad(b, ms % 1000, 3).append('Z');
    }

    private static StringBuilder pad(StringBuilder b, long v, int digits) {
        String s = Long.toString(v);
        for (int i = s.length(); i < digits; i++) {
            b.append('0');
        }
        return b.append(s);
    }

    private static final class OneLine extends Formatter {

        @Override
        public String format(LogRecord r) {
            StringBuilder line = new StringBuilder();
            appendUtc(line, r.getMillis()).append(' ')
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
