package dev.pipit.agent.select;

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

    /** "1.5", but "2" rather than "2.0"; without String.format, whose locale data a device need not load. */
    private static String oneDecimal(double v) {
        long tenths = Math.round(v * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : tenths / 10 + "." + tenths % 10;
    }

    /** A fraction as a percentage with one decimal: 0.879 → "87.9%". */
    public static String percent(double fraction) {
        long tenths = Math.round(Math.abs(fraction) * 1000);
        return (fraction < 0 && tenths != 0 ? "-" : "") + tenths / 10 + "." + tenths % 10 + "%";
    }
}
