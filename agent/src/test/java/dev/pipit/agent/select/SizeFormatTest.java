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

    @Test
    void percentAndBytes_manyValues_printWhatStringFormatPrinted() {
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            double f = i < 1001 ? i / 1000.0 : r.nextDouble();
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f%%", f * 100), SizeFormat.percent(f), "fraction " + f);
            long n = (1L << 20) + (long) (r.nextDouble() * (1L << 34));
            double unit = n < 1L << 30 ? 1 << 20 : 1L << 30;
            String old = String.format(java.util.Locale.ROOT, "%.1f", n / unit);
            old = old.endsWith(".0") ? old.substring(0, old.length() - 2) : old;
            assertEquals(old + (n < 1L << 30 ? " MiB" : " GiB"), SizeFormat.bytes(n), "bytes " + n);
        }
    }
}
