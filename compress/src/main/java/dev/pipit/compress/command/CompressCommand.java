package dev.pipit.compress.command;

import dev.pipit.compress.bundle.BundleBuilder;
import dev.pipit.compress.bundle.BundleSpec;
import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.report.CompressionReport;
import dev.pipit.compress.security.SecurityAssessment;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.variant.CompressionContext;
import dev.pipit.compress.variant.FineTuneBudget;
import dev.pipit.compress.variant.Technique;
import dev.pipit.compress.variant.Techniques;
import dev.pipit.compress.variant.VariantResult;
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

/** {@code pipit compress}: ONNX model → compressed, evaluated variants → signed bundle (and report). */
// No mixinStandardHelpOptions: its --version would clash with the release number's --version.
@Command(name = "compress",
        description = "Import an fp32 ONNX model, produce compressed variants, measure them with the Pipit runtime "
                + "and write a signed bundle.")
public final class CompressCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--onnx", required = true, description = "fp32 ONNX model (e.g. from 'pipit train' or torch.onnx.export).")
    Path onnx;

    @Option(names = "--calib", defaultValue = FashionMnist.NAME, description = "Calibration, fine-tuning and evaluation data set: fashion-mnist.")
    String dataset;

    @Option(names = "--calib-count", defaultValue = "1000", description = "Training images to calibrate int8 ranges on (default ${DEFAULT-VALUE}).")
    int calibCount;

    @Option(names = "--train-count", description = "Training images to fine-tune on (default: all 60,000).")
    Integer trainCount;

    @Option(names = "--test-count", description = "Test images to evaluate on (default: all 10,000).")
    Integer testCount;

    @Option(names = "--fine-tune-epochs", description = "Fine-tune every technique for this many epochs "
            + "(default: qat 1, sparse80 4, channels50 3, palette16 1, lowrank 2, distilled 5).")
    Integer fineTuneEpochs;

    @Option(names = "--key", required = true, split = ",", description = "Release signing key file(s) (from 'pipit keys "
            + "generate'); several when the root's release threshold is above 1.")
    List<Path> keys;

    @Option(names = "--root", split = ",", description = "Root metadata, oldest first (from 'pipit keys root'): the newest "
            + "must authorise --key; the chain is attached so devices can rotate to it.")
    List<Path> roots = List.of();

    @Option(names = "--out", required = true, description = "Bundle file to write.")
    Path out;

    @Option(names = "--model-id", defaultValue = "fashion-mnist-mlp", description = "Model id (default ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--version", defaultValue = "1", description = "Release number, increasing with every release (default ${DEFAULT-VALUE}).")
    long version;

    @Option(names = "--variants", defaultValue = "fp32,int8", split = ",", description = "Variants to produce, any of: "
            + "fp32, int8, int8-dynamic, int8-sr, int8-qat, sparse80, channels50, palette16, lowrank, distilled, "
            + "adv-pgd (PGD adversarial fine-tuning, 1 epoch at ε 0.1, then static int8; about 3× a clean epoch), "
            + "dp-eps1, dp-eps3, dp-eps8 (DP-SGD from scratch), sparse80-private (pruned on public data only) "
            + "(default ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--chunk-bytes", defaultValue = "65536", description = "Transfer chunk size (default ${DEFAULT-VALUE}).")
    int chunkBytes;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds fine-tuning, pruning and rounding (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Fine-tuning threads (default: all cores). Measurements are single-threaded.")
    Integer threads;

    @Option(names = "--report", description = "Directory to write report.json, report.md and tradeoff.png into "
            + "(and security.png with --security).")
    Path reportDir;

    @Option(names = "--security", description = "Also attack every variant (evasion transferred from the fp32 parent, "
            + "membership inference) and put the figures in the manifest and the report.")
    boolean security;

    @Option(names = "--security-images", defaultValue = "1000", description = "Test images (and as many training "
            + "images) each attack uses (default ${DEFAULT-VALUE}).")
    int securityImages;

    @Option(names = "--data-dir", description = "Directory of the data set files (default /usr/share/datasets/fashion-mnist).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Override
    public Integer call() throws Exception {
        Topics.segment(modelId);
        if (version < 1) {
            throw new IllegalArgumentException("--version must be at least 1");
        }
        Set<String> wanted = new LinkedHashSet<>(variants);
        List<Technique> techniques = wanted.stream().map(Techniques::byId).toList();
        if (fineTuneEpochs != null && fineTuneEpochs < 1) {
            throw new IllegalArgumentException("--fine-tune-epochs must be at least 1");
        }
        List<KeyPair> signingKeys = KeysCommand.signingKeys(keys);
        List<byte[]> rootChain = KeysCommand.rootChain(roots);
        String unsigned = KeysCommand.authorise(rootChain, signingKeys); // before the work, not after
        Graph parent = OnnxImporter.read(onnx);
        LabeledImages test = DatasetOption.test(dataset, dataDir);
        if (testCount != null) {
            test = test.slice(0, Math.min(testCount, test.count()));
        }
        LabeledImages train = DatasetOption.train(dataset, dataDir);
        if (trainCount != null) {
            train = train.slice(0, Math.min(trainCount, train.count()));
        }
        FineTuneBudget budget = fineTuneEpochs == null ? FineTuneBudget.defaults()
                : new FineTuneBudget(fineTuneEpochs, fineTuneEpochs, fineTuneEpochs, fineTuneEpochs, fineTuneEpochs, fineTuneEpochs);
        CompressionContext context = CompressionContext.of(parent, train, test, calibCount, budget, seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), System.err);
        List<VariantBuild> builds = new ArrayList<>();
        for (Technique t : techniques) {
            long start = System.nanoTime();
            System.err.println("building " + t.id() + " ...");
            VariantResult r = t.build(context);
            System.err.printf(Locale.ROOT, "evaluating %s on %d test images ...%n", t.id(), test.count());
            Evaluation e = Evaluator.evaluate(r.graph(), test);
            System.err.printf(Locale.ROOT, "%s: %.2f%%, %,d weight bytes, %.0f s%n", t.id(), 100 * e.accuracy(),
                    e.weightBytes(), (System.nanoTime() - start) / 1e9);
            builds.add(new VariantBuild(t.id(), r.technique(), r.graph(), e, r.calibration(), r.details()));
        }
        if (security) {
            builds = SecurityAssessment.assess(new SecurityContext(context.trainable(), train, test, securityImages, seed,
                    context.threads(), System.err), builds);
        }
        BundleSpec spec = new BundleSpec(modelId, version, FashionMnist.CLASS_NAMES,
                dataset + " test, " + test.count() + " images", chunkBytes, BundleSpec.DEFAULT_GOLDEN_COUNT);
        SignedManifest signed = KeysCommand.signed(out, BundleBuilder.write(spec, parent, builds, test, signingKeys.get(0), out),
                signingKeys, rootChain);
        Manifest manifest = Manifest.parseFrom(signed.getManifest());
        if (reportDir != null) {
            CompressionReport.write(reportDir, onnx.toString(), manifest, builds);
        }
        System.out.printf(Locale.ROOT, "wrote %s (%s v%d)%s%n", out, modelId, version, unsigned);
        System.out.printf(Locale.ROOT, "%-13s %9s %12s %13s %10s %9s%n", "variant", "accuracy", "weight B", "arena B", "MACs", "p50 µs");
        for (VariantBuild b : builds) {
            Evaluation e = b.evidence();
            System.out.printf(Locale.ROOT, "%-13s %8.2f%% %12d %13d %10d %9.1f%n", b.id(), 100 * e.accuracy(),
                    e.weightBytes(), e.arenaBytes(), e.macs(), e.p50Micros());
        }
        return 0;
    }
}
