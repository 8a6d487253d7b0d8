package dev.pipit.compress.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The numbers behind a bundle, for people (report.md) and tools (report.json). */
public final class CompressionReport {

    private CompressionReport() {
    }

    /** Writes {@code dir/report.json}, {@code dir/report.md} and {@code dir/tradeoff.svg}. */
    public static void write(Path dir, String source, Manifest manifest, List<VariantBuild> builds) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Object>> rows = rows(manifest, builds);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("modelId", manifest.getModelId());
        doc.put("version", manifest.getVersion());
        doc.put("source", source);
        doc.put("variants", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), doc);
        Files.writeString(dir.resolve("report.md"), markdown(manifest, source, rows));
        Files.writeString(dir.resolve("tradeoff.svg"),
                TradeoffPlot.svg(manifest.getModelId() + " v" + manifest.getVersion() + ": accuracy vs weight memory", rows));
    }

    static List<Map<String, Object>> rows(Manifest manifest, List<VariantBuild> builds) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (VariantBuild b : builds) {
            Variant v = manifest.getVariantsList().stream().filter(x -> x.getId().equals(b.id())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("variant " + b.id() + " is not in the manifest"));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", b.id());
            row.put("technique", b.technique());
            row.put("accuracy", b.evidence().accuracy());
            row.put("images", b.evidence().images());
            row.put("macs", b.evidence().macs());
            row.put("weightBytes", b.evidence().weightBytes());
            row.put("plannedPeakBytes", b.evidence().arenaBytes());
            row.put("p50MicrosBatch1", b.evidence().p50Micros());
            row.put("payloadBytes", v.getPayloadBytes());
            row.put("chunks", v.getChunkSha256Count());
            rows.add(row);
        }
        return rows;
    }

    private static String markdown(Manifest manifest, String source, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(manifest.getModelId()).append(" v").append(manifest.getVersion()).append("\n\n");
        md.append("Source: `").append(source).append("`. Accuracy on ")
                .append(manifest.getVariants(0).getEvaluatedOn()).append(", measured with the Pipit runtime; ")
                .append("latency single-threaded at batch 1 on the build machine.\n\n")
                .append("![accuracy vs weight memory](tradeoff.svg)\n\n");
        md.append("| variant | technique | accuracy | MACs/sample | weight bytes | planned arena | p50 µs | payload bytes |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f%% | %,d | %,d | %,d | %.1f | %,d |%n",
                    r.get("id"), r.get("technique"), 100 * (double) r.get("accuracy"), (long) r.get("macs"),
                    (long) r.get("weightBytes"), (long) r.get("plannedPeakBytes"), (double) r.get("p50MicrosBatch1"),
                    (long) r.get("payloadBytes")));
        }
        return md.toString();
    }
}
