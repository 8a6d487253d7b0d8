package dev.pipit.agent.command;

import dev.pipit.agent.Agent;
import dev.pipit.agent.AgentConfig;
import dev.pipit.profile.ByteSize;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.profile.DeviceProfiles;
import dev.pipit.protocol.bundle.BundleLimits;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit agent}: runs the device agent in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = AgentCommand.Version.class,
        description = {"Runs the Pipit device agent until SIGTERM or Ctrl-C: receives signed models over MQTT, "
                + "selects the variant that fits this device, verifies and activates it, serves inference and "
                + "reports status and memory. Logs one line per event on stderr.",
                "Every option can also be given in a --config file as 'key: value' (the option name without "
                        + "dashes); options on the command line win. See agent/README.md."})
public final class AgentCommand implements Callable<Integer> {

    private static final Set<String> PATH_KEYS = Set.of("state-dir", "trust", "password-file");

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

    @Option(names = "--verbose", description = "also log debug events")
    boolean verbose;

    public AgentCommand() {
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig c = config();
        OneLineLog.install(verbose);
        Agent agent = Agent.start(c);
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
                password);
    }

    /** Runs the agent as its own process: {@code java -cp ... dev.pipit.agent.command.AgentCommand --help}. */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new AgentCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("agent: " + e.getMessage());
            if (((AgentCommand) cmd.getCommand()).verbose) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        System.exit(cl.execute(args));
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
        boolean path = PATH_KEYS.contains(key) || key.equals("profile") && !DeviceProfiles.builtInNames().contains(value);
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
