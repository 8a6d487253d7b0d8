package dev.pipit.compress.command;

import dev.pipit.compress.bundle.BundleBuilder;
import dev.pipit.compress.bundle.BundleSpec;
import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.report.CompressionReport;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit compress}: ONNX model → evaluated variants → signed bundle. */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Import an fp32 ONNX model, produce compressed variants, measure them and write a signed bundle.")
public final class CompressCommand implements Callable<Integer> {

    @Option(names = "--onnx", required = true, description = "fp32 ONNX model (e.g. from 'pipit train' or torch.onnx.export).")
    Path onnx;

    @Option(names = "--calib", defaultValue = FashionMnist.NAME, description = "Calibration and evaluation data set: fashion-mnist.")
    String dataset;

    @Option(names = "--calib-count", defaultValue = "1000", description = "Training images to calibrate int8 ranges on (default ${DEFAULT-VALUE}).")
    int calibCount;

    @Option(names = "--key", required = true, description = "Signing key file (from 'pipit keys generate').")
    Path key;

    @Option(names = "--out", required = true, description = "Bundle file to write.")
    Path out;

    @Option(names = "--model-id", defaultValue = "fashion-mnist-mlp", description = "Model id (default ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--version", defaultValue = "1", description = "Release number, increasing with every release (default ${DEFAULT-VALUE}).")
    long version;

    @Option(names = "--variants", defaultValue = "fp32,int8", split = ",", description = "Variants to produce: fp32, int8 (default ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--chunk-bytes", defaultValue = "65536", description = "Transfer chunk size (default ${DEFAULT-VALUE}).")
    int chunkBytes;

    @Option(names = "--report", description = "Directory to write report.json, report.md and tradeoff.svg into.")
    Path reportDir;

    @Option(names = "--data-dir", description = "Directory of the data set files (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Override
    public Integer call() throws Exception {
        Topics.segment(modelId);
        if (version < 1) {
            throw new IllegalArgumentException("--version must be at least 1");
        }
        Set<String> wanted = new LinkedHashSet<>(variants);
        for (String v : wanted) {
            if (!v.equals("fp32") && !v.equals("int8")) {
                throw new IllegalArgumentException("unknown variant '" + v + "'; supported: fp32, int8");
            }
        }
        KeyPair signingKey = KeyFiles.readSigningKey(key);
        Graph parent = OnnxImporter.read(onnx);
        LabeledImages test = DatasetOption.test(dataset, dataDir);
        List<VariantBuild> builds = new ArrayList<>();
        for (String id : wanted) {
            Graph graph;
            String technique;
            if (id.equals("fp32")) {
                graph = parent;
                technique = "fp32 reference";
            } else {
                LabeledImages train = DatasetOption.train(dataset, dataDir);
                int n = Math.min(calibCount, train.count());
                float[] calibration = new float[n * train.imageSize()];
                train.copyImages(0, n, calibration, 0);
                graph = StaticQuantizer.quantize(parent, calibration, n);
                technique = "static int8 PTQ (per-channel weights, min-max calibration on " + n + " images)";
            }
            System.err.println("evaluating " + id + " on " + test.count() + " test images ...");
            Evaluation e = Evaluator.evaluate(graph, test);
            builds.add(new VariantBuild(id, technique, graph, e));
        }
        BundleSpec spec = new BundleSpec(modelId, version, FashionMnist.CLASS_NAMES,
                dataset + " test, " + test.count() + " images", chunkBytes, BundleSpec.DEFAULT_GOLDEN_COUNT);
        SignedManifest signed = BundleBuilder.write(spec, parent, builds, test, signingKey, out);
        Manifest manifest = Manifest.parseFrom(signed.getManifest());
        if (reportDir != null) {
            CompressionReport.write(reportDir, onnx.toString(), manifest, builds);
        }
        System.out.printf(Locale.ROOT, "wrote %s (%s v%d)%n", out, modelId, version);
        System.out.printf(Locale.ROOT, "%-6s %9s %12s %13s %10s %9s%n", "variant", "accuracy", "weight B", "arena B", "MACs", "p50 µs");
        for (VariantBuild b : builds) {
            Evaluation e = b.evidence();
            System.out.printf(Locale.ROOT, "%-7s %8.2f%% %12d %13d %10d %9.1f%n", b.id(), 100 * e.accuracy(),
                    e.weightBytes(), e.arenaBytes(), e.macs(), e.p50Micros());
        }
        return 0;
    }
}
