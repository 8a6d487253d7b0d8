package dev.pipit.profile;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human-readable sizes as written in profile files: {@code 512MiB}, {@code 64 KiB}, {@code 1.5GiB},
 * {@code 100MB} or a plain byte count. Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal
 * ones (kB, MB, GB, TB) powers of 1000; units are case-insensitive.
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30), Map.entry("tib", 1L << 40),
            Map.entry("kb", 1_000L), Map.entry("mb", 1_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("tb", 1_000_000_000_000L));

    private ByteSize() {
    }

    /**
     * Parses a size to bytes.
     *
     * @throws IllegalArgumentException if the text is not a size or not a whole number of bytes
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 512MiB, 64KiB, 1.5GiB, 100MB, 4096)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes below 2^63", e);
        }
    }
}
