package dev.pipit.fleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory from {@code /proc/<pid>/status}: VmRSS now and VmHWM, its peak.
 *
 * @param rssBytes VmRSS
 * @param peakRssBytes VmHWM
 */
record ProcMemory(long rssBytes, long peakRssBytes) {

    static ProcMemory of(long pid) throws IOException {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kilobytes(line);
            } else if (line.startsWith("VmHWM:")) {
                hwm = kilobytes(line);
            }
        }
        return new ProcMemory(rss, hwm);
    }

    ProcMemory plus(ProcMemory o) {
        return new ProcMemory(rssBytes + o.rssBytes, peakRssBytes + o.peakRssBytes);
    }

    private static long kilobytes(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
}
