package dev.pipit.fleet.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    @Test
    void render_devices_oneAlignedRowEachThenReasons() {
        String table = StatusTable.render(List.of(
                new DeviceSummary("pi-a", "rpi-zero-2w", "kitchen", true, "fashion-mlp", 3L, "int8", "only int8 fits",
                        null, MemorySummary.of(FleetStatusTest.memory(61, 1)), 5L),
                new DeviceSummary("pi-b", null, null, false, null, null, null, null, "bad signature", null, null)));
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).startsWith("DEVICE"), table);
        assertTrue(lines.get(1).startsWith("pi-a  "), table);
        assertEquals(lines.get(0).indexOf("RSS"), lines.get(1).indexOf("61 MiB"), table);
        assertTrue(lines.get(1).contains("fashion-mlp v3"), table);
        assertTrue(lines.get(1).contains(" kitchen "), table);
        assertTrue(lines.get(2).matches("pi-b\\s+-\\s+-\\s+no\\s+-.*"), table);
        assertTrue(lines.contains("pi-a: selected int8: only int8 fits"), table);
        assertTrue(lines.contains("pi-b: last rejection: bad signature"), table);
    }

    @Test
    void render_noDevices_saysSo() {
        assertTrue(StatusTable.render(List.of()).startsWith("no devices"));
    }

    @Test
    void bytes_variousSizes_useBinaryUnits() {
        assertEquals("512 B", StatusTable.bytes(512));
        assertEquals("1.5 KiB", StatusTable.bytes(1536));
        assertEquals("64 MiB", StatusTable.bytes(64L << 20));
        assertEquals("2.0 GiB", StatusTable.bytes(2L << 30));
    }
}
