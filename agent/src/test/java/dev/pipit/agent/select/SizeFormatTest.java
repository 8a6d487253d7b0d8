package dev.pipit.agent.select;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SizeFormatTest {

    @Test
    void bytes_eachRange_usesTheFittingUnit() {
        assertEquals("1023 B", SizeFormat.bytes(1023));
        assertEquals("241 KiB", SizeFormat.bytes(241 * 1024 + 300));
        assertEquals("1.5 MiB", SizeFormat.bytes(3 * 512 * 1024));
        assertEquals("2 GiB", SizeFormat.bytes(2L << 30));
        assertEquals("1 MiB", SizeFormat.bytes(1 << 20));
    }

    @Test
    void percent_fraction_hasOneDecimal() {
        assertEquals("87.9%", SizeFormat.percent(0.8789));
    }
}
