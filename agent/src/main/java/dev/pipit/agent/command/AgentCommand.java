package dev.pipit.agent.command;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.profile.ByteSize;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.profile.DeviceProfiles;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipit agent}: runs the device agent in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = AgentCommand.Version.class,
        description = {"Runs the Pipit device agent until SIGTERM or Ctrl-C: receives signed models over MQTT, "
                + "selects the variant that fits this device, verifies and activates it, serves inference and "
                + "reports status and memory. Logs one line per event on stderr.",
                "Every option can also be given in a --config file as 'key: value' (the option name without "
                        + "dashes); options on the command line win. See agent/README.md."})
public final class AgentCommand implements Callable<Integer> {

    private static final Set<String> PATH_KEYS = Set.of("state-dir", "trust", "password-file", "local-socket", "tls-ca", "tls-cert",
            "tls-key");

    @Option(names = "--config", paramLabel = "FILE", description = "flat YAML file of 'key: value' lines")
    Path config;

    @Option(names = "--broker", paramLabel = "URL", description = "MQTT broker, e.g. tcp://localhost:1883")
    String broker;

    @Option(names = "--id", paramLabel = "DEVICE", description = "device id: MQTT client id and topic level")
    String id;

    @Option(names = "--profile", paramLabel = "PROFILE", description = "built-in device profile (e.g. rpi-4b-2gb) or a "
            + "profile YAML file")
    String profile;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "where models and agent state are kept")
    String stateDir;

    @Option(names = "--trust", paramLabel = "PUBKEY", split = ",", description = "Ed25519 public key(s) (PEM) "
            + "manifests must be signed by")
    List<String> trust;

    @Option(names = "--report-interval", paramLabel = "S", description = "seconds between status and memory reports "
            + "(default " + AgentConfig.DEFAULT_REPORT_INTERVAL_SECONDS + ")")
    String reportInterval;

    @Option(names = "--chunk-window", paramLabel = "N", description = "chunk topics subscribed at once (default "
            + AgentConfig.DEFAULT_CHUNK_WINDOW + ")")
    String chunkWindow;

    @Option(names = "--stall-timeout", paramLabel = "S", description = "give a download up after this many seconds "
            + "without a new chunk (default " + AgentConfig.DEFAULT_STALL_TIMEOUT_SECONDS + ")")
    String stallTimeout;

    @Option(names = "--username", paramLabel = "USER", description = "MQTT user name")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE", description = "file holding the MQTT password")
    String passwordFile;

    @Option(names = "--max-manifest-bytes", paramLabel = "SIZE", description = "largest signed manifest accepted")
    String maxManifestBytes;

    @Option(names = "--max-variants", paramLabel = "N", description = "most variants in one manifest")
    String maxVariants;

    @Option(names = "--max-payload-bytes", paramLabel = "SIZE", description = "largest variant payload accepted, "
            + "e.g. 64MiB")
    String maxPayloadBytes;

    @Option(names = "--max-chunk-bytes", paramLabel = "SIZE", description = "largest chunk accepted, e.g. 1MiB")
    String maxChunkBytes;

    @Option(names = "--group", paramLabel = "GROUP", description = "rollout group of this device (default "
            + AgentConfig.DEFAULT_GROUP + ")")
    String group;

    @Option(names = "--receive-maximum", paramLabel = "N", description = "MQTT 5 Receive Maximum: QoS 1 messages the "
            + "broker may send ahead of acknowledgements (default " + AgentConfig.DEFAULT_RECEIVE_MAXIMUM + ")")
    String receiveMaximum;

    @Option(names = "--session-expiry", paramLabel = "S", description = "seconds the broker keeps the session while the "
            + "device is offline (default " + AgentConfig.DEFAULT_SESSION_EXPIRY_SECONDS + ")")
    String sessionExpiry;

    @Option(names = "--offline-buffer", paramLabel = "N", description = "reports kept while the broker is unreachable; "
            + "the oldest are dropped and counted (default " + AgentConfig.DEFAULT_OFFLINE_BUFFER + ")")
    String offlineBuffer;

    @Option(names = "--probation", paramLabel = "S", description = "seconds a new model must serve before a crash loop "
            + "no longer rolls it back (default " + AgentConfig.DEFAULT_PROBATION_SECONDS + ")")
    String probation;

    @Option(names = "--crash-loop-restarts", paramLabel = "N", description = "unclean restarts during probation that "
            + "roll a new model back (default " + AgentConfig.DEFAULT_CRASH_LOOP_RESTARTS + ")")
    String crashLoopRestarts;

    @Option(names = "--inference-threads", paramLabel = "N", description = "intra-op threads, 0 for the profile's cores, "
            + "unless tuning measured better (default " + AgentConfig.DEFAULT_INFERENCE_THREADS + ")")
    String inferenceThreads;

    @Option(names = "--local-socket", paramLabel = "PATH", description = "Unix domain socket serving inference on the "
            + "device, also without a broker")
    String localSocket;

    @Option(names = "--tune-after-activation", paramLabel = "BOOL", description = "measure the variants that fit after "
            + "every activation of a new version: true or false (default false)")
    String tuneAfterActivation;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificate(s) the broker's certificate must chain "
            + "to (with an ssl:// broker URL)")
    String tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "this device's client certificate (mutual TLS; the "
            + "broker may take its common name as user name)")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the client certificate's private key, unencrypted PKCS#8")
    String tlsKey;

    @Option(names = "--models", paramLabel = "ID", description = "comma-separated model ids this device accepts "
            + "manifests for (default: any)")
    String models;

    @Option(names = "--verbose", description = "also log debug events")
    boolean verbose;

    @Mixin
    CoapOptions coap = new CoapOptions();

    public AgentCommand() {
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig c = config();
        OneLineLog.install(verbose);
        Agent agent = Agent.start(c, coap.settings());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            OneLineLog.ifDropped("agent " + c.deviceId() + " stopped");
        }, "pipit-agent-stop"));
        agent.awaitStopped();
        return 0;
    }

    /**
     * The configuration the options and config file describe.
     *
     * @throws IllegalArgumentException with a one-line reason for anything missing or malformed
     */
    public AgentConfig config() throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        if (config != null) {
            Path base = config.toAbsolutePath().getParent();
            ConfigFile.read(config).forEach((key, value) -> v.put(key, relativeTo(base, key, value)));
        }
        put(v, "broker", broker);
        put(v, "id", id);
        put(v, "profile", profile);
        put(v, "state-dir", stateDir);
        put(v, "trust", trust == null ? null : String.join(",", trust));
        put(v, "report-interval", reportInterval);
        put(v, "chunk-window", chunkWindow);
        put(v, "stall-timeout", stallTimeout);
        put(v, "username", username);
        put(v, "password-file", passwordFile);
        put(v, "max-manifest-bytes", maxManifestBytes);
        put(v, "max-variants", maxVariants);
        put(v, "max-payload-bytes", maxPayloadBytes);
        put(v, "max-chunk-bytes", maxChunkBytes);
        put(v, "receive-maximum", receiveMaximum);
        put(v, "session-expiry", sessionExpiry);
        put(v, "offline-buffer", offlineBuffer);
        put(v, "probation", probation);
        put(v, "crash-loop-restarts", crashLoopRestarts);
        put(v, "inference-threads", inferenceThreads);
        put(v, "local-socket", localSocket);
        put(v, "tune-after-activation", tuneAfterActivation);
        put(v, "group", group);
        put(v, "tls-ca", tlsCa);
        put(v, "tls-cert", tlsCert);
        put(v, "tls-key", tlsKey);
        put(v, "models", models);
        coap.resolve(v); // transport coap: the CoAP URI goes where the broker URL goes
        for (String key : List.of("broker", "id", "profile", "state-dir", "trust")) {
            required(v, key);
        }
        DeviceProfile deviceProfile = DeviceProfiles.load(required(v, "profile"));
        List<Path> keys = Arrays.stream(required(v, "trust").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        BundleLimits d = BundleLimits.defaults();
        BundleLimits limits = new BundleLimits(
                Math.toIntExact(size(v, "max-manifest-bytes", d.maxManifestBytes())),
                (int) number(v, "max-variants", d.maxVariants()),
                size(v, "max-payload-bytes", d.maxPayloadBytes()),
                Math.toIntExact(size(v, "max-chunk-bytes", d.maxChunkBytes())));
        String password = v.containsKey("password-file") ? password(Path.of(v.get("password-file"))) : null;
        return new AgentConfig(required(v, "broker"), required(v, "id"), deviceProfile, Path.of(required(v, "state-dir")),
                keys, (int) number(v, "report-interval", AgentConfig.DEFAULT_REPORT_INTERVAL_SECONDS),
                (int) number(v, "chunk-window", AgentConfig.DEFAULT_CHUNK_WINDOW),
                (int) number(v, "stall-timeout", AgentConfig.DEFAULT_STALL_TIMEOUT_SECONDS), limits, v.get("username"),
                password, v.get("group"), (int) number(v, "receive-maximum", AgentConfig.DEFAULT_RECEIVE_MAXIMUM),
                whole(v, "session-expiry", AgentConfig.DEFAULT_SESSION_EXPIRY_SECONDS),
                (int) number(v, "offline-buffer", AgentConfig.DEFAULT_OFFLINE_BUFFER),
                (int) number(v, "probation", AgentConfig.DEFAULT_PROBATION_SECONDS),
                (int) number(v, "crash-loop-restarts", AgentConfig.DEFAULT_CRASH_LOOP_RESTARTS),
                (int) whole(v, "inference-threads", AgentConfig.DEFAULT_INFERENCE_THREADS),
                v.containsKey("local-socket") ? Path.of(v.get("local-socket")) : null,
                bool(v, "tune-after-activation"), tls(v), modelIds(v));
    }

    /**
     * Runs the agent as its own process: {@code java -cp ... dev.pipit.agent.command.AgentCommand --help}. The
     * daemon's own form, {@code --config FILE [--verbose]}, is read without picocli, whose command model costs
     * some 170 classes and a megabyte of a small device's memory for a line of arguments.
     */
    public static void main(String[] args) {
        AgentCommand daemon = daemonForm(args);
        if (daemon != null) {
            try {
                System.exit(daemon.call());
            } catch (Exception e) {
                System.err.println("agent: " + e.getMessage());
                if (daemon.verbose) {
                    e.printStackTrace();
                }
                System.exit(1);
            }
        }
        System.exit(parseAndRun(args));
    }

    /** The command for {@code --config FILE [--verbose]} (in any order), or null for any other command line. */
    static AgentCommand daemonForm(String[] args) {
        AgentCommand c = new AgentCommand();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--verbose") && !c.verbose) {
                c.verbose = true;
            } else if (args[i].equals("--config") && c.config == null && i + 1 < args.length && !args[i + 1].startsWith("-")) {
                c.config = Path.of(args[++i]);
            } else {
                return null;
            }
        }
        return c.config == null ? null : c;
    }

    private static int parseAndRun(String[] args) {
        CommandLine cl = new CommandLine(new AgentCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("agent: " + e.getMessage());
            if (((AgentCommand) cmd.getCommand()).verbose) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    /** {@code --version}: the agent's Implementation-Version. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            return new String[] {"pipit agent " + Agent.version()};
        }
    }

    private static void put(Map<String, String> values, String key, String flag) {
        if (flag != null) {
            values.put(key, flag);
        }
    }

    /** Paths in a config file are relative to the file; a profile is a path unless it names a built-in one. */
    private static String relativeTo(Path base, String key, String value) {
        boolean path = PATH_KEYS.contains(key) || CoapOptions.PATH_KEYS.contains(key) || key.equals("profile") && !DeviceProfiles.builtInNames().contains(value);
        if (!path || value.isEmpty()) {
            return value;
        }
        return Arrays.stream(value.split(",")).map(String::strip).map(p -> base.resolve(p).toString())
                .reduce((a, b) -> a + "," + b).orElse(value);
    }

    private static String required(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing --" + key + " (or '" + key + ":' in the --config file)");
        }
        return v;
    }

    private static long number(Map<String, String> values, String key, long otherwise) {
        String v = values.get(key);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a positive whole number, was '" + v + "'");
        }
    }

    /** A whole number that may be 0. */
    private static long whole(Map<String, String> values, String key, long otherwise) {
        String v = values.get(key);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, 0 or more, was '" + v + "'");
        }
    }

    private static TlsSettings tls(Map<String, String> values) {
        if (!values.containsKey("tls-ca") && !values.containsKey("tls-cert") && !values.containsKey("tls-key")) {
            return null;
        }
        Function<String, Path> path = key -> values.containsKey(key) ? Path.of(values.get(key)) : null;
        return new TlsSettings(path.apply("tls-ca"), path.apply("tls-cert"), path.apply("tls-key"));
    }

    private static Set<String> modelIds(Map<String, String> values) {
        String v = values.get("models");
        return v == null ? Set.of() : Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(java.util.stream.Collectors.toSet());
    }

    private static boolean bool(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            return false;
        }
        return switch (v.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + key + " must be true or false, was '" + v + "'");
        };
    }

    private static long size(Map<String, String> values, String key, long otherwise) {
        String v = values.get(key);
        if (v == null) {
            return otherwise;
        }
        long n;
        try {
            n = ByteSize.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + ": " + e.getMessage());
        }
        if (n < 1 || (!key.equals("max-payload-bytes") && n > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("--" + key + " must be between 1 byte and 2 GiB, was '" + v + "'");
        }
        return n;
    }

    private static String password(Path file) {
        String p;
        try {
            p = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read password file " + file + " (" + e + ")");
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("password file " + file + " is empty");
        }
        return p;
    }
}
