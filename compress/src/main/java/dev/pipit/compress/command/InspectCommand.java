package dev.pipit.compress.command;

import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit inspect}: what a bundle holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a bundle's manifest and variants.")
public final class InspectCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, description = "Bundle file.")
    Path bundle;

    @Option(names = "--trust", description = "Public key or root metadata file: also verify the manifest's signatures with it.")
    Path trust;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BundleFile file = BundleInput.open(bundle);
        Manifest m = file.manifest();
        if (trust != null) {
            ManifestVerifier.open(List.of(trust), null, BundleLimits.defaults()).verify(file.signedManifest());
        }
        if (json) {
            JsonOutput.print(document(m, trust != null));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%s v%d  created %s  input %s %s  output %s %s  %d labels%s%n",
                m.getModelId(), m.getVersion(), Instant.ofEpochMilli(m.getCreatedEpochMillis()),
                m.getInput().getName(), m.getInput().getShapeList(), m.getOutput().getName(), m.getOutput().getShapeList(),
                m.getLabelsCount(), trust != null ? "  signature verified" : "");
        System.out.printf(Locale.ROOT, "%-8s %9s %11s %10s %10s %11s %7s  %s%n", "variant", "accuracy", "weight B",
                "arena B", "MACs", "payload B", "chunks", "sha256");
        for (Variant v : m.getVariantsList()) {
            System.out.printf(Locale.ROOT, "%-8s %8.2f%% %11d %10d %10d %11d %7d  %s%n", v.getId(), 100 * v.getAccuracy(),
                    v.getWeightBytes(), v.getPlannedPeakBytes(), v.getMacs(), v.getPayloadBytes(),
                    v.getChunkSha256Count(), HexFormat.of().formatHex(v.getSha256().toByteArray()).substring(0, 16) + "…");
        }
        return 0;
    }

    private static Map<String, Object> tensor(TensorSpec spec) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", spec.getName());
        t.put("shape", spec.getShapeList());
        t.put("type", spec.getType().name());
        return t;
    }

    static Map<String, Object> document(Manifest m, boolean verified) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("modelId", m.getModelId());
        doc.put("version", m.getVersion());
        doc.put("createdEpochMillis", m.getCreatedEpochMillis());
        doc.put("input", tensor(m.getInput()));
        doc.put("output", tensor(m.getOutput()));
        doc.put("labels", m.getLabelsList());
        doc.put("goldenCount", m.getGolden().getCount());
        if (verified) {
            doc.put("signatureVerified", true);
        }
        List<Map<String, Object>> variants = new ArrayList<>();
        for (Variant v : m.getVariantsList()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", v.getId());
            row.put("technique", v.getTechnique());
            row.put("weightBytes", v.getWeightBytes());
            row.put("plannedPeakBytes", v.getPlannedPeakBytes());
            row.put("accuracy", v.getAccuracy());
            row.put("macs", v.getMacs());
            row.put("payloadBytes", v.getPayloadBytes());
            row.put("sha256", HexFormat.of().formatHex(v.getSha256().toByteArray()));
            row.put("chunkBytes", v.getChunkBytes());
            row.put("chunks", v.getChunkSha256Count());
            row.put("evaluatedOn", v.getEvaluatedOn());
            variants.add(row);
        }
        doc.put("variants", variants);
        return doc;
    }
}
