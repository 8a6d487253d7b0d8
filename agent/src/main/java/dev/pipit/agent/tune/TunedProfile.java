package dev.pipit.agent.tune;

import dev.pipit.agent.select.MeasuredLatency;
import dev.pipit.agent.store.AtomicFiles;
import dev.pipit.agent.store.PropertiesText;
import dev.pipit.protocol.v1.TuneReport;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.protocol.v1.VariantMeasurement;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What the tune command measured on this device, kept in {@code tuned-profile.properties} in the state
 * directory so that later selections (a restart, a new version) use it. One line per model and variant:
 * <pre>
 * measured.fashion/int8=version 3 macs 234752 weight-bytes 236328 p50-micros 52 p90-micros 61 threads 1 ...
 * </pre>
 * A figure applies to a variant of another version only if its multiply-accumulates and weight bytes are
 * the same (the same architecture and technique: the same work per inference). Not thread-safe.
 */
public final class TunedProfile {

    static final String FILE = "tuned-profile.properties";
    private static final String PREFIX = "measured.";

    /** One variant's figures. */
    public record Measured(long version, long macs, long weightBytes, long p50Micros, long p90Micros, int threads,
                           long arenaBytes, int maxBatch, long retainedHeapBytes, long epochMillis) {
    }

    private final Path file;
    private final String profileName;
    private final Map<String, Measured> figures;

    private TunedProfile(Path file, String profileName, Map<String, Measured> figures) {
        this.file = file;
        this.profileName = profileName;
        this.figures = figures;
    }

    /**
     * Reads the tuned profile of a state directory; figures measured under another device profile are ignored
     * (the device was re-purposed), a damaged file is ignored (it is only a cache of measurements).
     */
    public static TunedProfile open(Path stateDir, String profileName) {
        Path file = stateDir.resolve(FILE);
        Map<String, Measured> figures = new HashMap<>();
        try {
            if (Files.isRegularFile(file)) {
                Properties p = new Properties();
                p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
                if (profileName.equals(p.getProperty("profile"))) {
                    for (String key : p.stringPropertyNames()) {
                        if (key.startsWith(PREFIX)) {
                            figures.put(key.substring(PREFIX.length()), parse(p.getProperty(key)));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            figures.clear();
        }
        return new TunedProfile(file, profileName, figures);
    }

    /** The figures measured for a variant of a model, if they apply to it. */
    public Measured lookup(String modelId, Variant v) {
        Measured m = figures.get(modelId + "/" + v.getId());
        return m != null && m.macs() == v.getMacs() && m.weightBytes() == v.getWeightBytes() ? m : null;
    }

    /** The measured latencies of a model's variants, for the selector. */
    public MeasuredLatency latencies(String modelId) {
        return v -> {
            Measured m = lookup(modelId, v);
            return m == null ? -1 : m.p50Micros();
        };
    }

    /** Records a tuning run's measurements (errors are not figures) and rewrites the file atomically. */
    public void record(TuneReport report, Map<String, Variant> variants) throws IOException {
        for (VariantMeasurement vm : report.getVariantsList()) {
            Variant v = variants.get(vm.getVariant());
            if (vm.getError().isEmpty() && v != null) {
                figures.put(report.getModelId() + "/" + vm.getVariant(), new Measured(report.getVersion(), v.getMacs(),
                        v.getWeightBytes(), vm.getP50Micros(), vm.getP90Micros(), vm.getThreads(), vm.getArenaBytes(),
                        vm.getMaxBatch(), vm.getRetainedHeapBytes(), report.getEpochMillis()));
            }
        }
        Map<String, String> p = new HashMap<>();
        p.put("profile", profileName);
        figures.forEach((key, m) -> p.put(PREFIX + key, format(m)));
        String text = PropertiesText.format(
                "measured on this device by the tune command; later selections use these figures (safe to delete)", p);
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String format(Measured m) {
        return "version " + m.version() + " macs " + m.macs() + " weight-bytes " + m.weightBytes() + " p50-micros "
                + m.p50Micros() + " p90-micros " + m.p90Micros() + " threads " + m.threads() + " arena-bytes "
                + m.arenaBytes() + " max-batch " + m.maxBatch() + " retained-heap-bytes " + m.retainedHeapBytes()
                + " epoch-millis " + m.epochMillis();
    }

    private static Measured parse(String line) {
        String[] t = line.trim().split("\\s+");
        Map<String, String> kv = new HashMap<>();
        for (int i = 0; i + 1 < t.length; i += 2) {
            kv.put(t[i], t[i + 1]);
        }
        return new Measured(num(kv, "version"), num(kv, "macs"), num(kv, "weight-bytes"), num(kv, "p50-micros"),
                num(kv, "p90-micros"), (int) num(kv, "threads"), num(kv, "arena-bytes"), (int) num(kv, "max-batch"),
                num(kv, "retained-heap-bytes"), num(kv, "epoch-millis"));
    }

    private static long num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return Long.parseLong(v);
    }
}
