package dev.pipit.agent.store;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's state directory (layout in agent/README.md):
 * <pre>
 * state.properties                         active model, trusted versions, status sequence
 * models/{model}/{version}/manifest.pb     the verified SignedManifest, exactly as received
 * models/{model}/{version}/{variant}.graph a verified variant payload
 * downloads/{model}/{version}/{variant}.partial  chunks verified so far, at their offsets
 * </pre>
 * Every file is replaced atomically; {@code .tmp} leftovers of an interrupted write are deleted on open.
 */
public final class StateStore {

    private static final String STATE = "state.properties";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;
    private AgentState state;

    private StateStore(Path root, AgentState state) {
        this.root = root;
        this.state = state;
    }

    /** Opens (creating if needed) a state directory and reads its committed state. */
    public static StateStore open(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("models"));
        Files.createDirectories(root.resolve("downloads"));
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(AtomicFiles.TMP_SUFFIX)).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Path state = root.resolve(STATE);
        return new StateStore(root, Files.exists(state) ? parse(Files.readString(state, StandardCharsets.UTF_8), state)
                : AgentState.empty());
    }

    public Path root() {
        return root;
    }

    public AgentState state() {
        return state;
    }

    /** Commits a new state: after this returns, a restart sees it. */
    public void save(AgentState next) throws IOException {
        Properties p = new Properties();
        if (next.active() != null) {
            AgentState.Installed a = next.active();
            p.setProperty("active.model", a.modelId());
            p.setProperty("active.version", Long.toString(a.version()));
            p.setProperty("active.variant", a.variant());
            p.setProperty("active.reason", a.reason());
            p.setProperty("active.activated", Long.toString(a.activatedEpochMillis()));
        }
        next.trusted().forEach((model, t) -> p.setProperty("trusted." + model, t.version() + " " + t.manifestSha256()));
        p.setProperty("sequence", Long.toString(next.sequence()));
        StringWriter w = new StringWriter();
        p.store(w, "pipit agent state; written atomically, do not edit while the agent runs");
        AtomicFiles.write(root.resolve(STATE), w.toString().getBytes(StandardCharsets.UTF_8));
        state = next;
    }

    public Path manifestFile(String modelId, long version) {
        return versionDir(modelId, version).resolve("manifest.pb");
    }

    public Path graphFile(String modelId, long version, String variant) {
        return versionDir(modelId, version).resolve(checkName("variant id", variant) + ".graph");
    }

    public Path partialFile(String modelId, long version, String variant) throws IOException {
        Path dir = root.resolve("downloads").resolve(checkName("model id", modelId)).resolve(Long.toString(version));
        Files.createDirectories(dir);
        return dir.resolve(checkName("variant id", variant) + ".partial");
    }

    /** Moves a verified, fsynced payload (a finished partial file) into the store. */
    public Path install(String modelId, long version, String variant, Path verifiedPayload) throws IOException {
        Files.createDirectories(versionDir(modelId, version));
        Path graph = graphFile(modelId, version, variant);
        AtomicFiles.move(verifiedPayload, graph);
        try {
            Files.deleteIfExists(verifiedPayload.getParent()); // downloads/{model}/{version}, if nothing else is in it
        } catch (DirectoryNotEmptyException e) {
            // another variant of that version is still downloading or resumable
        }
        return graph;
    }

    /** Keeps the SignedManifest of an activated version, exactly as received, for re-verification on restart. */
    public void saveManifest(String modelId, long version, byte[] signedManifest) throws IOException {
        Files.createDirectories(versionDir(modelId, version));
        AtomicFiles.write(manifestFile(modelId, version), signedManifest);
    }

    /** Deletes every stored version and download of a model except {@code keep}. */
    public void prune(String modelId, Set<Long> keep) throws IOException {
        for (String area : new String[] {"models", "downloads"}) {
            Path dir = root.resolve(area).resolve(checkName("model id", modelId));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> versions = Files.list(dir)) {
                for (Path v : versions.toList()) {
                    if (!keep.contains(parseVersion(v.getFileName().toString()))) {
                        deleteTree(v);
                    }
                }
            }
        }
    }

    /** Deletes one installed variant (one that failed its checks), leaving the rest of its version. */
    public void remove(String modelId, long version, String variant) throws IOException {
        Files.deleteIfExists(graphFile(modelId, version, variant));
    }

    /**
     * Model and variant ids become directory and file names: letters, digits, '.', '_', '-', starting with a
     * letter or digit (so never "..").
     */
    public static String checkName(String kind, String id) {
        if (id == null || !NAME.matcher(id).matches()) {
            throw new IllegalArgumentException(kind + " '" + id + "' cannot name a file (1-128 of A-Z a-z 0-9 . _ -,"
                    + " starting with a letter or digit)");
        }
        return id;
    }

    private Path versionDir(String modelId, long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive, was " + version);
        }
        return root.resolve("models").resolve(checkName("model id", modelId)).resolve(Long.toString(version));
    }

    private static long parseVersion(String name) {
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static AgentState parse(String text, Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        try {
            AgentState.Installed active = null;
            if (p.getProperty("active.model") != null) {
                active = new AgentState.Installed(p.getProperty("active.model"),
                        Long.parseLong(p.getProperty("active.version")), p.getProperty("active.variant"),
                        p.getProperty("active.reason"), Long.parseLong(p.getProperty("active.activated", "0")));
            }
            Map<String, AgentState.Trusted> trusted = new HashMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("trusted.")) {
                    String[] parts = p.getProperty(key).trim().split(" ", 2);
                    trusted.put(key.substring("trusted.".length()),
                            new AgentState.Trusted(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : ""));
                }
            }
            return new AgentState(active, trusted, Long.parseLong(p.getProperty("sequence", "0")));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException(file + " is damaged (" + e.getMessage() + "); move it away to start afresh", e);
        }
    }
}
