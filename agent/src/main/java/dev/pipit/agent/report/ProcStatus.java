package dev.pipit.agent.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from {@code /proc/self/status}: what the kernel charges, which the
 * JVM's own counters do not show (metaspace, thread stacks, code cache, malloc arenas).
 *
 * @param rssBytes VmRSS
 * @param peakRssBytes VmHWM, the high-water mark of VmRSS
 */
public record ProcStatus(long rssBytes, long peakRssBytes) {

    public static final ProcStatus UNKNOWN = new ProcStatus(0, 0);

    /** Reads a status file; {@link #UNKNOWN} where there is none (not Linux) or it cannot be read. */
    public static ProcStatus read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** Parses the text of a status file; a missing field reads as 0. */
    public static ProcStatus parse(String text) {
        return new ProcStatus(kilobytes(text, "VmRSS:"), kilobytes(text, "VmHWM:"));
    }

    /** A line such as {@code "VmRSS:\t   51200 kB"}; the kernel always reports kB (1024 bytes). */
    private static long kilobytes(String text, String field) {
        for (String line : text.split("\n")) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(parts[0]);
                    boolean kb = parts.length > 1 && parts[1].equalsIgnoreCase("kB");
                    return kb ? Math.multiplyExact(value, 1024L) : value;
                } catch (NumberFormatException | ArithmeticException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
