package dev.pipit.agent.store;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's state directory, with two model slots (layout in agent/README.md):
 * <pre>
 * state.properties                    the commit point: active slot and variant, rollback target, probation,
 *                                     trusted versions, status sequence
 * slots/{a,b}/manifest.pb             the verified SignedManifest of the version in that slot, as received
 * slots/{a,b}/{variant}.graph         verified variant payloads of that version
 * downloads/{model}/{version}/{variant}.partial  chunks verified so far, at their offsets
 * </pre>
 * Every file is replaced atomically (temporary file, fsync, rename, fsync of the directory); switching
 * the active model is one such replacement of {@code state.properties}, so a power cut at any instant
 * leaves the old or the new state, each naming a slot whose files were fsynced before it was written. A
 * slot named by the state is never modified; the other one is cleared before it receives a new version.
 */
public final class StateStore {

    private static final String STATE = "state.properties";
    private static final String MANIFEST = "manifest.pb";
    private static final String GRAPH_SUFFIX = ".graph";
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
        for (Path d : List.of(root.resolve("slots").resolve(Slot.A.dirName()), root.resolve("slots").resolve(Slot.B.dirName()),
                root.resolve("downloads"))) {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d);
                AtomicFiles.syncDirectory(d.getParent());
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(AtomicFiles.TMP_SUFFIX)).toList()) {
                Files.deleteIfExists(p); // an interrupted write: the target still holds the old content
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

    /** Commits a new state: after this returns, a restart (or a power cut) sees it. */
    public void save(AgentState next) throws IOException {
        Map<String, String> p = new HashMap<>();
        put(p, "active", next.active());
        put(p, "previous", next.previous());
        p.put("probation", Boolean.toString(next.probation()));
        p.put("crashes", Integer.toString(next.crashes()));
        p.put("running", Boolean.toString(next.running()));
        next.trusted().forEach((model, t) -> p.put("trusted." + model, t.version() + " " + t.manifestSha256()));
        p.put("sequence", Long.toString(next.sequence()));
        if (next.reportIntervalSeconds() > 0) {
            p.put("report-interval", Integer.toString(next.reportIntervalSeconds()));
        }
        String text = PropertiesText.format("pipit agent state; written atomically, do not edit while the agent runs", p);
        AtomicFiles.write(root.resolve(STATE), text.getBytes(StandardCharsets.UTF_8));
        state = next;
    }

    public Path slotDir(Slot slot) {
        return root.resolve("slots").resolve(slot.dirName());
    }

    public Path manifestFile(Slot slot) {
        return slotDir(slot).resolve(MANIFEST);
    }

    public Path graphFile(Slot slot, String variant) {
        return slotDir(slot).resolve(checkName("variant id", variant) + GRAPH_SUFFIX);
    }

    /** The variants stored in a slot, sorted. */
    public List<String> variants(Slot slot) throws IOException {
        try (Stream<Path> files = Files.list(slotDir(slot))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(GRAPH_SUFFIX))
                    .map(n -> n.substring(0, n.length() - GRAPH_SUFFIX.length())).sorted().toList();
        }
    }

    public Path partialFile(String modelId, long version, String variant) throws IOException {
        Path dir = root.resolve("downloads").resolve(checkName("model id", modelId)).resolve(Long.toString(version));
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            AtomicFiles.syncDirectory(dir.getParent());
        }
        return dir.resolve(checkName("variant id", variant) + ".partial");
    }

    /**
     * The slot that receives a verified payload of {@code modelId} v{@code version}: the slot already holding
     * that version, else the one the active model is not in. A slot that must be reused is first dropped
     * from the state (if it held the rollback target) and cleared; then the manifest is written into it.
     * The active model's slot is never cleared.
     *
     * @param signedManifest the SignedManifest bytes of that version
     */
    public Slot claim(String modelId, long version, byte[] signedManifest) throws IOException {
        AgentState.Installed active = state.active();
        AgentState.Installed previous = state.previous();
        Slot slot;
        if (active != null && active.sameVersion(modelId, version)) {
            slot = active.slot();
        } else if (previous != null && previous.sameVersion(modelId, version) && previous.slot() != slotOf(active)) {
            slot = previous.slot();
        } else {
            slot = active == null ? Slot.A : active.slot().other();
        }
        Path manifest = manifestFile(slot);
        if (Files.exists(manifest) && Arrays.equals(Files.readAllBytes(manifest), signedManifest)) {
            return slot; // that version is there already: add a variant to it
        }
        if (slot == slotOf(active)) {
            throw new IOException("slot " + slot.dirName() + " holds the active model with another manifest");
        }
        if (slot == slotOf(previous)) {
            save(state.withoutPrevious()); // durable before its files go
        }
        clear(slot);
        AtomicFiles.write(manifest, signedManifest);
        return slot;
    }

    /**
     * The slot that already holds {@code variant} of exactly this SignedManifest (installed before a crash or
     * a restart, or the rollback target), or null.
     */
    public Slot find(byte[] signedManifest, String variant) throws IOException {
        for (Slot slot : Slot.values()) {
            Path manifest = manifestFile(slot);
            if (Files.exists(graphFile(slot, variant)) && Files.exists(manifest)
                    && Arrays.equals(Files.readAllBytes(manifest), signedManifest)) {
                return slot;
            }
        }
        return null;
    }

    /** Moves a verified, fsynced payload (a finished partial file) into a slot claimed for its version. */
    public Path install(Slot slot, String variant, Path verifiedPayload) throws IOException {
        Path graph = graphFile(slot, variant);
        AtomicFiles.move(verifiedPayload, graph);
        try {
            Files.deleteIfExists(verifiedPayload.getParent()); // downloads/{model}/{version}, if nothing else is in it
        } catch (DirectoryNotEmptyException e) {
            // another variant of that version is still downloading or resumable
        }
        return graph;
    }

    /** Deletes a stored variant that failed its checks; never one the state names. */
    public void remove(Slot slot, String variant) throws IOException {
        if (names(state.active(), slot, variant) || names(state.previous(), slot, variant)) {
            throw new IllegalStateException(variant + " in slot " + slot.dirName() + " is named by the state");
        }
        Files.deleteIfExists(graphFile(slot, variant));
        AtomicFiles.syncDirectory(slotDir(slot));
    }

    /** Deletes partial downloads of {@code modelId} up to {@code version}: they can no longer be activated. */
    public void pruneDownloads(String modelId, long version) throws IOException {
        Path dir = root.resolve("downloads").resolve(checkName("model id", modelId));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> versions = Files.list(dir)) {
            for (Path v : versions.toList()) {
                if (parseVersion(v.getFileName().toString()) <= version) {
                    deleteTree(v);
                }
            }
        }
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

    private void clear(Slot slot) throws IOException {
        Path dir = slotDir(slot);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.isDirectory(f)) {
                    deleteTree(f);
                } else {
                    Files.delete(f);
                }
            }
        }
        AtomicFiles.syncDirectory(dir);
    }

    private static Slot slotOf(AgentState.Installed m) {
        return m == null ? null : m.slot();
    }

    private static boolean names(AgentState.Installed m, Slot slot, String variant) {
        return m != null && m.slot() == slot && m.variant().equals(variant);
    }

    private static void put(Map<String, String> p, String prefix, AgentState.Installed m) {
        if (m == null) {
            return;
        }
        p.put(prefix + ".slot", m.slot().dirName());
        p.put(prefix + ".model", m.modelId());
        p.put(prefix + ".version", Long.toString(m.version()));
        p.put(prefix + ".variant", m.variant());
        p.put(prefix + ".reason", m.reason());
        p.put(prefix + ".activated", Long.toString(m.activatedEpochMillis()));
    }

    private static AgentState.Installed installed(Properties p, String prefix) {
        if (p.getProperty(prefix + ".model") == null) {
            return null;
        }
        return new AgentState.Installed(Slot.parse(p.getProperty(prefix + ".slot")), p.getProperty(prefix + ".model"),
                Long.parseLong(p.getProperty(prefix + ".version")), p.getProperty(prefix + ".variant"),
                p.getProperty(prefix + ".reason"), Long.parseLong(p.getProperty(prefix + ".activated", "0")));
    }

    private static long parseVersion(String name) {
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(all::add);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    private static AgentState parse(String text, Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        try {
            Map<String, AgentState.Trusted> trusted = new HashMap<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("trusted.")) {
                    String[] parts = p.getProperty(key).trim().split(" ", 2);
                    trusted.put(key.substring("trusted.".length()),
                            new AgentState.Trusted(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : ""));
                }
            }
            return new AgentState(installed(p, "active"), installed(p, "previous"),
                    Boolean.parseBoolean(p.getProperty("probation", "false")),
                    Integer.parseInt(p.getProperty("crashes", "0")), Boolean.parseBoolean(p.getProperty("running", "false")),
                    trusted, Long.parseLong(p.getProperty("sequence", "0")),
                    Integer.parseInt(p.getProperty("report-interval", "0")));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException(file + " is damaged (" + e.getMessage() + "); move it away to start afresh", e);
        }
    }
}
