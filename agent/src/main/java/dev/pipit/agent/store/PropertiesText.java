package dev.pipit.agent.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * The text of a properties file, as {@link java.util.Properties#load} reads it, written without
 * {@link java.util.Properties#store}: on JDK 17 that writes a date comment whose {@code Date.toString} loads the
 * time-zone names and zone rules (~80 classes, 0.6 MiB on a 48 MB device) on every state change.
 */
public final class PropertiesText {

    private PropertiesText() {
    }

    /** One {@code # comment} line, then {@code key=value} lines in key order. */
    public static String format(String comment, Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(comment.replace('\n', ' ').replace('\r', ' ')).append('\n');
        new TreeMap<>(values).forEach((k, v) -> {
            escape(b, k, true);
            b.append('=');
            escape(b, v, false);
            b.append('\n');
        });
        return b.toString();
    }

    /** As {@code Properties.saveConvert}: backslash escapes, and {@code \}{@code uXXXX} outside printable ASCII. */
    private static void escape(StringBuilder b, String s, boolean key) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\f' -> b.append("\\f");
                case '=', ':', '#', '!' -> b.append('\\').append(c);
                case ' ' -> b.append(i == 0 || key ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append("\\u").append(Character.forDigit(c >> 12 & 0xf, 16)).append(Character.forDigit(c >> 8 & 0xf, 16))
                                .append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
