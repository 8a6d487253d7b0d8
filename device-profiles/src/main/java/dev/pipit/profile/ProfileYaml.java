package dev.pipit.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML that profile files use, read without a YAML library (snakeyaml-engine and what it brings cost the
 * 48 MB agent ~110 classes): one mapping of {@code key: value} lines; a value is a scalar, a flow list
 * {@code [a, b]} or a block list of {@code - item} lines below its key. Scalars resolve as YAML 1.2's core
 * schema does: quoted text stays text, plain {@code 12} is an Integer (Long when larger), {@code 0.5} or
 * {@code 1e3} a Double, {@code true}/{@code false} a Boolean, {@code null}, {@code ~} or nothing is null.
 * Anything else (nested mappings, anchors, tags, block scalars, a key set twice) is an error naming the line.
 */
final class ProfileYaml {

    private ProfileYaml() {
    }

    /**
     * @return the mapping, or null for a document with no content
     * @throws IllegalArgumentException "not valid YAML at line N: why", or that the document is not a mapping
     */
    static Map<String, Object> parse(String text) {
        Map<String, Object> map = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        String listKey = null; // the key whose block list is being read
        for (int n = 1; n <= lines.length; n++) {
            String raw = lines[n - 1];
            String line = stripComment(raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw, n).stripTrailing();
            if (line.isBlank() || (n == 1 || map.isEmpty()) && line.equals("---")) {
                continue;
            }
            if (line.charAt(0) == '\t' || line.startsWith(" ") && !line.strip().startsWith("-")) {
                throw invalid(n, "only the block list items of a key may be indented");
            }
            if (line.strip().startsWith("-") && (line.strip().length() == 1 || line.strip().charAt(1) == ' ')) {
                if (listKey == null) {
                    if (map.isEmpty()) {
                        throw new IllegalArgumentException("a profile file must be a mapping of fields, not a list");
                    }
                    throw invalid(n, "a list item belongs below a key with no value");
                }
                @SuppressWarnings("unchecked")
                List<Object> items = (List<Object>) map.computeIfAbsent(listKey, k -> new ArrayList<>());
                items.add(scalar(line.strip().substring(1).strip(), n));
                continue;
            }
            listKey = null;
            int colon = keyEnd(line);
            if (colon < 0) {
                throw invalid(n, "expected 'key: value'");
            }
            String key = line.substring(0, colon).strip();
            if (map.containsKey(key)) {
                throw invalid(n, "'" + key + "' is set twice");
            }
            String value = line.substring(colon + 1).strip();
            if (value.isEmpty()) {
                listKey = key;
                map.put(key, null);
            } else {
                map.put(key, value.startsWith("[") ? flowList(value, n) : scalar(value, n));
            }
        }
        return map.isEmpty() ? null : map;
    }

    /** The colon that ends a plain key: followed by a space or the end of the line. */
    private static int keyEnd(String line) {
        char first = line.charAt(0);
        if ("[]{}&*!|>'\"%@`?#,".indexOf(first) >= 0) {
            return -1;
        }
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == ':' && (i + 1 == line.length() || line.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static List<Object> flowList(String value, int n) {
        if (!value.endsWith("]")) {
            throw invalid(n, "a list opened with '[' must close with ']' on the same line");
        }
        List<Object> items = new ArrayList<>();
        String inner = value.substring(1, value.length() - 1).strip();
        if (inner.isEmpty()) {
            return items;
        }
        int start = 0;
        char quote = 0;
        for (int i = 0; i <= inner.length(); i++) {
            char c = i < inner.length() ? inner.charAt(i) : ',';
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                String item = inner.substring(start, i).strip();
                if (item.isEmpty()) {
                    throw invalid(n, "an empty item in " + value);
                }
                items.add(scalar(item, n));
                start = i + 1;
            } else if ("[]{}".indexOf(c) >= 0) {
                throw invalid(n, "nested collections are not used in profile files");
            }
        }
        return items;
    }

    private static Object scalar(String s, int n) {
        char first = s.charAt(0);
        if (first == '"' || first == '\'') {
            if (s.length() < 2 || s.charAt(s.length() - 1) != first) {
                throw invalid(n, "unterminated quote in " + s);
            }
            String body = s.substring(1, s.length() - 1);
            return first == '\'' ? body.replace("''", "'") : unescape(body, n);
        }
        if ("[]{}&*!|>%@`".indexOf(first) >= 0) {
            throw invalid(n, "'" + first + "' starts YAML that profile files do not use");
        }
        if (s.contains(": ") || s.endsWith(":")) {
            throw invalid(n, "nested mappings are not used in profile files");
        }
        return switch (s) {
            case "null", "Null", "NULL", "~" -> null;
            case "true", "True", "TRUE" -> Boolean.TRUE;
            case "false", "False", "FALSE" -> Boolean.FALSE;
            default -> number(s);
        };
    }

    /** A plain scalar as the core schema resolves it: an integer, a float, or text. */
    private static Object number(String s) {
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        int digits = 0;
        int dots = 0;
        int exponent = -1;
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && dots == 0 && exponent < 0) {
                dots++;
            } else if ((c == 'e' || c == 'E') && exponent < 0 && digits > 0) {
                exponent = j;
                if (j + 1 < s.length() && (s.charAt(j + 1) == '-' || s.charAt(j + 1) == '+')) {
                    j++;
                }
                if (j + 1 == s.length()) {
                    return s;
                }
            } else {
                return s;
            }
        }
        if (digits == 0) {
            return s;
        }
        if (dots == 0 && exponent < 0) {
            try {
                long v = Long.parseLong(s);
                return v == (int) v ? (Object) (int) v : (Object) v;
            } catch (NumberFormatException e) {
                return s; // beyond a long: no field takes it
            }
        }
        return Double.parseDouble(s);
    }

    private static String unescape(String body, int n) {
        StringBuilder b = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i == body.length()) {
                throw invalid(n, "a '\\' ends a quoted text");
            }
            switch (body.charAt(i)) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                default -> throw invalid(n, "escape '\\" + body.charAt(i) + "' is not used in profile files");
            }
        }
        return b.toString();
    }

    /** Drops a {@code #} comment: at the start of a line, or after a space outside quotes. */
    private static String stripComment(String line, int n) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"' || c == '\'' && quote == '\'' && i + 1 < line.length()
                        && line.charAt(i + 1) == '\'') {
                    i++; // an escaped quote
                } else if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '\'') && (i == 0 || " [,:".indexOf(line.charAt(i - 1)) >= 0)) {
                quote = c;
            } else if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ' || line.charAt(i - 1) == '\t')) {
                return line.substring(0, i);
            }
        }
        if (quote != 0) {
            throw invalid(n, "unterminated quote");
        }
        return line;
    }

    private static IllegalArgumentException invalid(int line, String why) {
        return new IllegalArgumentException("not valid YAML at line " + line + ": " + why);
    }
}
