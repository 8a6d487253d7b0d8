package dev.pipit.cli.demo;

import dev.pipit.cli.Pipit;
import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.fleet.broker.EmbeddedBroker;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.status.DeviceSummary;
import dev.pipit.fleet.status.FleetStatus;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole mission on one machine: train (or reuse the cached model), compress into fp32 and int8,
 * sign, publish on an embedded MQTT 5 broker, and watch three simulated devices choose, verify,
 * activate and serve their variants, then print what each one reports.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole mission on an embedded MQTT 5 broker with three simulated devices.")
public final class DemoCommand implements Callable<Integer> {

    private static final String MODEL_ID = "fashion-mlp";
    private static final List<String[]> DEVICES = List.of(
            new String[] {"zero2w-01", "rpi-zero-2w"},
            new String[] {"pi4-01", "rpi-4b-2gb"},
            new String[] {"pi5-01", "rpi-5-8gb"});

    @Option(names = "--work-dir", description = "Where keys, the trained model and the bundle are cached (default: .pipit/demo under the Pipit checkout).")
    Path workDir;

    @Option(names = "--data-dir", description = "Fashion-MNIST files (default: ${DEFAULT-VALUE}).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--epochs", description = "Training epochs when no cached model exists (default: ${DEFAULT-VALUE}).")
    int epochs = 3;

    @Option(names = "--images", description = "Test images each device classifies (default: ${DEFAULT-VALUE}).")
    int images = 1000;

    @Option(names = "--timeout", description = "Seconds to wait for the devices to activate (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 90;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintWriter out = new PrintWriter(System.out, true);
        Path work = workDir != null ? workDir
                : Path.of(System.getProperty("pipit.home", "."), ".pipit", "demo");
        Files.createDirectories(work);
        DatasetPackage.ensure(dataDir);

        Path keys = work.resolve("keys");
        Path model = work.resolve("mlp.onnx");
        Path bundle = work.resolve("bundle.pipit");
        if (!Files.exists(keys.resolve("signing.key"))) {
            step("generating an Ed25519 signing key");
            pipit("keys", "generate", "--out", keys.toString());
        }
        if (!Files.exists(model)) {
            step("training the reference MLP (784-256-128-10) on Fashion-MNIST, " + epochs + " epochs");
            pipit("train", "--arch", "mlp", "--dataset", "fashion-mnist", "--epochs", Integer.toString(epochs),
                    "--data-dir", dataDir.toString(), "--out", model.toString());
        } else {
            step("using the cached model " + model);
        }
        if (!Files.exists(bundle) || Files.getLastModifiedTime(bundle).compareTo(Files.getLastModifiedTime(model)) < 0) {
            step("compressing into fp32 and int8, evaluating each on the 10,000 test images, signing");
            pipit("compress", "--onnx", model.toString(), "--calib", "fashion-mnist", "--data-dir", dataDir.toString(),
                    "--key", keys.resolve("signing.key").toString(), "--out", bundle.toString(),
                    "--model-id", MODEL_ID, "--version", "1", "--variants", "fp32,int8");
        } else {
            step("using the cached bundle " + bundle);
        }
        Manifest manifest = BundleFile.open(bundle, BundleLimits.defaults()).manifest();

        Path run = Files.createTempDirectory("pipit-demo");
        List<DeviceProcess> devices = new ArrayList<>();
        try (EmbeddedBroker broker = new EmbeddedBroker("127.0.0.1", 0, run.resolve("broker"))) {
            broker.start();
            BrokerEndpoint endpoint = BrokerEndpoint.anonymous(broker.url());
            step("embedded MQTT 5 broker on " + broker.url());
            for (String[] d : DEVICES) {
                devices.add(DeviceProcess.start(d[0], d[1], broker.url(), run.resolve("devices").resolve(d[0]),
                        keys.resolve("signing.pub"), run.resolve("logs").resolve(d[0] + ".log")));
            }
            step("started " + devices.size() + " simulated devices (one JVM each, -Xmx48m); logs in " + run.resolve("logs"));
            new BundlePublisher(endpoint, BundlePublisher.DEFAULT_MAX_IN_FLIGHT, new PrintWriter(System.err, true))
                    .publish(bundle);
            step("published " + MODEL_ID + " v" + manifest.getVersion() + " (signed manifest + chunks, retained)");

            Map<String, DeviceSummary> active = awaitActive(endpoint, manifest.getVersion(), devices);
            step("all devices active; each classifies " + images + " test images over MQTT 5 request/response");
            Map<String, Double> accuracy = classify(broker.url(), devices);
            Map<String, DeviceSummary> reported = latest(endpoint);
            printTable(out, devices, reported.isEmpty() ? active : reported, accuracy);
        } finally {
            for (DeviceProcess d : devices) {
                d.close();
            }
        }
        out.printf("demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static void pipit(String... args) {
        int code = Pipit.commandLine().execute(args);
        if (code != 0) {
            throw new IllegalStateException("'pipit " + String.join(" ", args) + "' failed (exit " + code + ")");
        }
    }

    private static void step(String what) {
        System.err.println("demo: " + what);
    }

    private Map<String, DeviceSummary> awaitActive(BrokerEndpoint endpoint, long version, List<DeviceProcess> devices)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            Map<String, DeviceSummary> byId = latest(endpoint);
            boolean all = true;
            for (DeviceProcess d : devices) {
                if (!d.alive()) {
                    throw new IllegalStateException("device " + d.id + " exited; see its log");
                }
                DeviceSummary s = byId.get(d.id);
                if (s != null && s.lastRejection() != null && (s.version() == null || s.version() != version)) {
                    throw new IllegalStateException("device " + d.id + " rejected the bundle: " + s.lastRejection());
                }
                all &= s != null && s.version() != null && s.version() == version && s.memory() != null;
            }
            if (all) {
                return byId;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("devices did not all activate version " + version + " within "
                        + timeoutSeconds + " s: " + byId.values());
            }
            Thread.sleep(250);
        }
    }

    private static Map<String, DeviceSummary> latest(BrokerEndpoint endpoint) throws Exception {
        Map<String, DeviceSummary> byId = new LinkedHashMap<>();
        for (DeviceSummary s : FleetStatus.collect(endpoint, Duration.ofMillis(300))) {
            byId.put(s.id(), s);
        }
        return byId;
    }

    /** Fraction of the first {@code images} test images each device classifies right. */
    private Map<String, Double> classify(String brokerUrl, List<DeviceProcess> devices) throws Exception {
        LabeledImages test = FashionMnist.test(dataDir);
        int n = Math.min(images, test.count());
        int batch = 50;
        Map<String, Double> accuracy = new LinkedHashMap<>();
        try (InferenceClient client = InferenceClient.connect(brokerUrl)) {
            for (DeviceProcess d : devices) {
                int right = 0;
                for (int from = 0; from < n; from += batch) {
                    int b = Math.min(batch, n - from);
                    float[] x = new float[b * test.imageSize()];
                    test.copyImages(from, b, x, 0);
                    InferenceResponse r = client.infer(d.id, x, b, Duration.ofSeconds(10));
                    if (!r.getError().isEmpty()) {
                        throw new IllegalStateException("device " + d.id + " refused inference: " + r.getError());
                    }
                    for (int i = 0; i < b; i++) {
                        right += r.getArgmax(i) == test.label(from + i) ? 1 : 0;
                    }
                }
                accuracy.put(d.id, right / (double) n);
            }
        }
        return accuracy;
    }

    private void printTable(PrintWriter out, List<DeviceProcess> devices, Map<String, DeviceSummary> byId,
                            Map<String, Double> accuracy) {
        out.println();
        out.printf("%-10s %-12s %-8s %9s %10s %10s %9s %9s%n",
                "device", "profile", "variant", "accuracy", "weights", "arena", "heap", "RSS");
        for (DeviceProcess d : devices) {
            DeviceSummary s = byId.get(d.id);
            out.printf("%-10s %-12s %-8s %8.2f%% %10s %10s %9s %9s%n", d.id, d.profile, s.variant(),
                    100 * accuracy.get(d.id), kib(s.memory().weightBytes()), kib(s.memory().arenaBytes()),
                    mib(s.memory().heapUsedBytes()), mib(s.memory().rssBytes()));
        }
        out.println();
        out.println("why each device chose its variant:");
        for (DeviceProcess d : devices) {
            out.printf("  %-10s %s%n", d.id, byId.get(d.id).selectionReason());
        }
        out.printf("accuracy: on the first %d Fashion-MNIST test images, answered by each device over MQTT%n", images);
    }

    private static String kib(long bytes) {
        return String.format("%.1f KiB", bytes / 1024.0);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
