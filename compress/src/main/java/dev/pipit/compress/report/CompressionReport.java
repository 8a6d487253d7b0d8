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

/** The numbers behind a bundle, for people (report.md, tradeoff.png) and tools (report.json). */
public final class CompressionReport {

    public static final String CHART = "tradeoff.png";
    public static final String SECURITY_CHART = "security.png";

    private CompressionReport() {
    }

    /** Writes {@code dir/report.json}, {@code dir/report.md}, {@code dir/tradeoff.png} and, with security figures, {@code dir/security.png}. */
    public static void write(Path dir, String source, Manifest manifest, List<VariantBuild> builds) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Object>> rows = rows(manifest, builds);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("modelId", manifest.getModelId());
        doc.put("version", manifest.getVersion());
        doc.put("source", source);
        doc.put("evaluatedOn", manifest.getVariants(0).getEvaluatedOn());
        doc.put("paretoFront", TradeoffChart.pareto(rows).stream().map(r -> r.get("id")).toList());
        doc.put("variants", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), doc);
        Files.writeString(dir.resolve("report.md"), markdown(manifest, source, rows));
        TradeoffChart.write(manifest.getModelId() + " v" + manifest.getVersion() + ": accuracy vs weight memory", rows,
                dir.resolve(CHART));
        if (rows.stream().anyMatch(r -> !security(r).isEmpty())) {
            SecurityChart.write(manifest.getModelId() + " v" + manifest.getVersion() + ": accuracy under attack", rows,
                    dir.resolve(SECURITY_CHART));
        }
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
            row.put("weightBytesStored", b.evidence().storedBytes());
            row.put("weightBytesRam", b.evidence().weightBytes());
            row.put("plannedPeakBytes", b.evidence().arenaBytes());
            row.put("macs", b.evidence().macs());
            row.put("p50Micros", b.evidence().p50Micros());
            row.put("calibration", b.calibration());
            row.put("payloadBytes", v.getPayloadBytes());
            row.put("chunks", v.getChunkSha256Count());
            row.put("goldenOutputs", v.getGolden().getArgmaxCount());
            row.put("details", b.details());
            if (!b.security().isEmpty()) {
                row.put("security", b.security());
            }
            rows.add(row);
        }
        return rows;
    }

    private static String markdown(Manifest manifest, String source, List<Map<String, Object>> rows) {
        double fp32 = rows.stream().filter(r -> r.get("id").equals("fp32")).mapToDouble(r -> (double) r.get("accuracy"))
                .findFirst().orElse(Double.NaN);
        StringBuilder md = new StringBuilder();
        md.append("# ").append(manifest.getModelId()).append(" v").append(manifest.getVersion()).append("\n\n");
        md.append("Source: `").append(source).append("`. Accuracy on ")
                .append(manifest.getVariants(0).getEvaluatedOn()).append(", measured with the Pipit runtime's kernels; ")
                .append("latency single-threaded at batch 1 on the build machine. Pareto front (no variant both smaller and ")
                .append("more accurate): ").append(String.join(", ", TradeoffChart.pareto(rows).stream()
                        .map(r -> (String) r.get("id")).toList())).append(".\n\n")
                .append("![accuracy vs weight memory](").append(CHART).append(")\n\n");
        md.append("| variant | accuracy | Δ vs fp32 | weight B stored | weight B RAM | planned arena B | MACs/sample | p50 µs | technique |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Map<String, Object> r : rows) {
            double a = (double) r.get("accuracy");
            md.append(String.format(Locale.ROOT, "| %s | %.2f%% | %+.2f | %,d | %,d | %,d | %,d | %.1f | %s |%n",
                    r.get("id"), 100 * a, 100 * (a - fp32), (long) r.get("weightBytesStored"), (long) r.get("weightBytesRam"),
                    (long) r.get("plannedPeakBytes"), (long) r.get("macs"), (double) r.get("p50Micros"), r.get("technique")));
        }
        appendSecurity(md, rows);
        md.append("\n## Calibration chosen per tensor\n\n")
                .append("Per tensor, the candidate (min-max, 99.99th percentile, MSE-optimal clip) whose int8 model gives the ")
                .append("lowest mean squared error of the outputs against fp32 on the calibration images, chosen greedily ")
                .append("in graph order.\n\n");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            Map<String, String> c = (Map<String, String>) r.get("calibration");
            if (!c.isEmpty()) {
                md.append("- ").append(r.get("id")).append(": ");
                List<String> parts = new ArrayList<>();
                c.forEach((t, m) -> parts.add("`" + t + "` " + m));
                md.append(String.join(", ", parts)).append('\n');
            }
        }
        md.append("\n## Details\n\n");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) r.get("details");
            if (!d.isEmpty()) {
                md.append("- ").append(r.get("id")).append(": ").append(d).append('\n');
            }
        }
        return md.toString();
    }

    /** One column per security figure any variant has, in first-seen order. */
    private static void appendSecurity(StringBuilder md, List<Map<String, Object>> rows) {
        List<String> names = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            security(r).keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
        }
        if (names.isEmpty()) {
            return;
        }
        md.append("\n## Security\n\nAttacks run against each variant's final compressed graph with the runtime's ")
                .append("kernels (see docs/model-security.md for the methods).\n\n| variant | ")
                .append(String.join(" | ", names)).append(" |\n|---|").append("---:|".repeat(names.size())).append('\n');
        for (Map<String, Object> r : rows) {
            Map<String, Double> s = security(r);
            md.append("| ").append(r.get("id")).append(" | ");
            md.append(String.join(" | ", names.stream().map(n -> s.containsKey(n)
                    ? String.format(Locale.ROOT, "%.4f", s.get(n)) : "—").toList())).append(" |\n");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Double> security(Map<String, Object> row) {
        return (Map<String, Double>) row.getOrDefault("security", Map.of());
    }
}
