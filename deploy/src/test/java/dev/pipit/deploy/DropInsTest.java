package dev.pipit.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.profile.DeviceProfile;
import dev.pipit.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The memory drop-ins shipped for each built-in profile follow the rule written in pipit-agent.service. */
class DropInsTest {

    private static final Path DEPLOY = Path.of(System.getProperty("user.dir"));
    private static final long MIB = 1 << 20;

    /** max(32 MiB, 24 MiB + 2 x budget), rounded up to 8 MiB, in MiB. */
    static long heapMib(DeviceProfile p) {
        long bytes = Math.max(32 * MIB, 24 * MIB + 2 * p.modelMemoryBudgetBytes());
        long eight = 8 * MIB;
        return (bytes + eight - 1) / eight * eight / MIB;
    }

    private static long value(String text, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), pattern + " in\n" + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void dropIns_everyBuiltInProfile_hasHeapAndMemoryMaxByTheRule() throws Exception {
        for (String name : DeviceProfiles.builtInNames()) {
            DeviceProfile p = DeviceProfiles.load(name);
            String conf = Files.readString(DEPLOY.resolve("systemd/profiles/" + name + ".conf"));

            assertEquals(heapMib(p), value(conf, "JAVA_OPTS=-Xmx(\\d+)m"), name);
            assertEquals(heapMib(p) + 48, value(conf, "MemoryMax=(\\d+)M"), name);
        }
    }

    @Test
    void unit_defaultMemoryMax_fitsTheSmallProfilesItNames() throws Exception {
        String unit = Files.readString(DEPLOY.resolve("systemd/pipit-agent.service"));
        long memoryMax = value(unit, "\nMemoryMax=(\\d+)M");
        for (String name : List.of("rpi-zero-2w", "rpi-3b-plus")) {
            assertEquals(heapMib(DeviceProfiles.load(name)) + 48, memoryMax, name);
        }
        String launcher = Files.readString(DEPLOY.resolve("bin/pipit-agent"));
        assertEquals(32, value(launcher, "defaults=\"-Xmx(\\d+)m"), "the launcher's heap is the unit's");
    }
}
