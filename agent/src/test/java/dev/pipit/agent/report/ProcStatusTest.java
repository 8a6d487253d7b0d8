package dev.pipit.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

    private static final String STATUS = String.join("\n",
            "Name:\tjava",
            "Umask:\t0022",
            "State:\tS (sleeping)",
            "VmPeak:\t 3745064 kB",
            "VmSize:\t 3680124 kB",
            "VmHWM:\t   61432 kB",
            "VmRSS:\t   51200 kB",
            "RssAnon:\t   38400 kB",
            "Threads:\t19",
            "");

    @Test
    void parse_linuxStatus_convertsKilobytesToBytes() {
        ProcStatus s = ProcStatus.parse(STATUS);

        assertEquals(51200L * 1024, s.rssBytes());
        assertEquals(61432L * 1024, s.peakRssBytes());
    }

    @Test
    void parse_fieldsMissing_readAsZero() {
        assertEquals(ProcStatus.UNKNOWN, ProcStatus.parse("Name:\tkthreadd\nState:\tS (sleeping)\n"));
    }

    @Test
    void parse_garbledNumber_readsAsZero() {
        assertEquals(0, ProcStatus.parse("VmRSS:\t  lots kB\n").rssBytes());
    }

    @Test
    void read_thisProcess_reportsResidentMemoryWithinPeak() {
        ProcStatus s = ProcStatus.read(Path.of("/proc/self/status"));

        assertTrue(s.rssBytes() > 1 << 20, "a JVM holds more than 1 MiB: " + s);
        assertTrue(s.peakRssBytes() >= s.rssBytes(), s.toString());
    }

    @Test
    void read_noSuchFile_isUnknown() {
        assertEquals(ProcStatus.UNKNOWN, ProcStatus.read(Path.of("/nonexistent/status")));
    }
}
