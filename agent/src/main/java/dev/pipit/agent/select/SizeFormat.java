package dev.pipit.agent.select;

import java.util.Locale;

/** Byte counts as people read them in reasons and logs: "512 KiB", "1.5 MiB". */
public final class SizeFormat {

    private SizeFormat() {
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return Math.round(n / 1024.0) + " KiB";
        }
        if (n < 1024L * 1024 * 1024) {
            return oneDecimal(n / (1024.0 * 1024)) + " MiB";
        }
        return oneDecimal(n / (1024.0 * 1024 * 1024)) + " GiB";
    }

    /** "1.5", but "2" rather than "2.0". */
    private static String oneDecimal(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** A fraction as a percentage with one decimal: 0.879 → "87.9%". */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
