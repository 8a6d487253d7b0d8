package dev.pipit.profile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads device profiles: a built-in one by name, or any profile file by path. The file format is
 * documented in device-profiles/README.md. Every failure is an {@link IllegalArgumentException} whose
 * message names the file and, where there is one, the field.
 */
public final class DeviceProfiles {

    private static final String RESOURCES = "/dev/pipit/profile/profiles/";
    private static final List<String> BUILT_IN =
            List.of("rpi-zero-2w", "rpi-3b-plus", "rpi-4b-2gb", "rpi-5-8gb", "x86-64-dev");
    private static final List<String> FIELDS = List.of("name", "description", "ram", "cores", "architecture", "simd",
            "model-memory-budget", "latency-budget-millis", "accuracy-floor");
    /** Profile files are a dozen lines; anything larger is a wrong path. */
    private static final int MAX_FILE_BYTES = 64 << 10;

    private DeviceProfiles() {
    }

    /** Names of the profiles shipped with Pipit, smallest device first. */
    public static List<String> builtInNames() {
        return BUILT_IN;
    }

    /** A built-in profile by name, or the profile file at a path. */
    public static DeviceProfile load(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("no device profile given; built-in profiles: " + String.join(", ", BUILT_IN));
        }
        if (BUILT_IN.contains(nameOrPath)) {
            return builtIn(nameOrPath);
        }
        Path file = Path.of(nameOrPath);
        boolean looksLikePath = nameOrPath.contains("/") || nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml");
        if (!looksLikePath && !Files.exists(file)) {
            throw new IllegalArgumentException("unknown device profile '" + nameOrPath + "'; built-in profiles: "
                    + String.join(", ", BUILT_IN) + " (or give the path of a profile YAML file)");
        }
        return parse(read(file), file.toString());
    }

    /**
     * Parses the text of a profile file.
     *
     * @param source names the text in error messages, e.g. its path
     */
    public static DeviceProfile parse(String yaml, String source) {
        Map<?, ?> map = mapping(yaml, source);
        for (Object key : map.keySet()) {
            if (!FIELDS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(source + ": unknown field '" + key + "'; the fields are "
                        + String.join(", ", FIELDS));
            }
        }
        Fields f = new Fields(map, source);
        String name = f.text("name", true);
        String description = f.text("description", false);
        long ram = f.size("ram");
        int cores = f.integer("cores");
        String architecture = f.text("architecture", true);
        Set<String> simd = f.simd();
        long budget = f.size("model-memory-budget");
        double latency = f.number("latency-budget-millis");
        double accuracyFloor = f.number("accuracy-floor");
        try {
            return new DeviceProfile(name, description, ram, cores, architecture, simd, budget, latency, accuracyFloor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static DeviceProfile builtIn(String name) {
        try (InputStream in = DeviceProfiles.class.getResourceAsStream(RESOURCES + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("built-in profile " + name + " is missing from the jar");
            }
            DeviceProfile p = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in profile " + name);
            if (!p.name().equals(name)) {
                throw new IllegalStateException("built-in profile " + name + " is named " + p.name());
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in profile " + name + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("device profile file " + file + " does not exist");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(file + ": a profile file is at most " + MAX_FILE_BYTES
                        + " bytes; this one has " + Files.size(file));
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read device profile file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> mapping(String yaml, String source) {
        Map<String, Object> map;
        try {
            map = ProfileYaml.parse(yaml);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        if (map == null) {
            throw new IllegalArgumentException(source + ": a profile file must be a mapping of fields, not empty");
        }
        return map;
    }

    /** Typed access to the fields of one file, with errors naming file and field. */
    private record Fields(Map<?, ?> map, String source) {

        String text(String field, boolean required) {
            Object v = map.get(field);
            if (v == null) {
                if (required) {
                    throw missing(field, "text");
                }
                return "";
            }
            if (!(v instanceof String s)) {
                throw wrong(field, "text", v);
            }
            return s;
        }

        long size(String field) {
            Object v = require(field, "a size like 512MiB");
            if (v instanceof Integer || v instanceof Long) {
                return ((Number) v).longValue();
            }
            if (!(v instanceof String s)) {
                throw wrong(field, "a size like 512MiB", v);
            }
            try {
                return ByteSize.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": field '" + field + "': " + e.getMessage(), e);
            }
        }

        int integer(String field) {
            Object v = require(field, "a whole number");
            if (!(v instanceof Integer i)) {
                throw wrong(field, "a whole number", v);
            }
            return i;
        }

        double number(String field) {
            Object v = require(field, "a number");
            if (!(v instanceof Integer || v instanceof Long || v instanceof Double)) {
                throw wrong(field, "a number", v);
            }
            return ((Number) v).doubleValue();
        }

        Set<String> simd() {
            Object v = map.get("simd");
            if (v == null) {
                return Set.of();
            }
            if (!(v instanceof List<?> list) || list.stream().anyMatch(e -> !(e instanceof String))) {
                throw wrong("simd", "a list of feature names like [neon, asimddp]", v);
            }
            List<String> names = new ArrayList<>();
            list.forEach(e -> names.add((String) e));
            Set<String> unique = new LinkedHashSet<>(names);
            if (unique.size() != names.size()) {
                throw new IllegalArgumentException(source + ": field 'simd' lists a feature twice: " + names);
            }
            return unique;
        }

        private Object require(String field, String expected) {
            Object v = map.get(field);
            if (v == null) {
                throw missing(field, expected);
            }
            return v;
        }

        private IllegalArgumentException missing(String field, String expected) {
            return new IllegalArgumentException(source + ": field '" + field + "' is missing (expected " + expected + ")");
        }

        private IllegalArgumentException wrong(String field, String expected, Object v) {
            return new IllegalArgumentException(source + ": field '" + field + "' must be " + expected + ", not '" + v + "'");
        }
    }
}
