package dev.pipit.agent.activate;

import dev.pipit.agent.load.LoadedModel;
import dev.pipit.agent.load.ModelLoader;
import dev.pipit.agent.select.SizeFormat;
import dev.pipit.agent.select.VariantSelector;
import dev.pipit.agent.store.AgentState;
import dev.pipit.agent.store.Slot;
import dev.pipit.agent.store.StateStore;
import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * Decides which stored model serves, and makes every decision durable before it takes effect: a model is
 * loaded and passes its checks (SHA-256, decode, memory budget, golden vectors) while the old one keeps
 * serving; then {@code state.properties} is replaced atomically; only then is the model swapped in. A new
 * model is on probation until it has served {@code probation} seconds; a failed self-test on start, or
 * {@code crashLoopRestarts} unclean restarts during probation, roll back to the previous model on start.
 * Every change is reported as a ModelEvent, every refusal as a rejection. Runs on the agent's scheduler
 * thread; not thread-safe.
 */
public final class Activator {

    private static final System.Logger LOG = System.getLogger(Activator.class.getName());

    /** What the activator reports. */
    public interface Listener {
        /** The serving model changed; the state is already committed. */
        void changed(ModelEvent.Kind kind, ActiveModel active, ActiveModel previous, String reason);

        /** A model was refused or given up; the serving model is untouched (or rolled back, reported apart). */
        void refused(String modelId, long version, String variant, String reason);
    }

    private final StateStore store;
    private final ManifestVerifier verifier;
    private final DeviceProfile profile;
    private final BiFunction<String, Variant, RuntimeOptions> options;
    private final AtomicReference<LoadedModel> active;
    private final int crashLoopRestarts;
    private final Listener listener;

    /**
     * @param options the runtime options a variant of a model runs with (batch capacity, threads)
     * @param active where the serving model is published to the inference thread
     * @param crashLoopRestarts unclean restarts during probation that roll a model back
     */
    public Activator(StateStore store, ManifestVerifier verifier, DeviceProfile profile,
                     BiFunction<String, Variant, RuntimeOptions> options, AtomicReference<LoadedModel> active,
                     int crashLoopRestarts, Listener listener) {
        this.store = store;
        this.verifier = verifier;
        this.profile = profile;
        this.options = options;
        this.active = active;
        this.crashLoopRestarts = crashLoopRestarts;
        this.listener = listener;
    }

    /**
     * On start, before any connection: records the start (a start while the last run never stopped cleanly is
     * a crash), rolls back a model on probation that crashed {@code crashLoopRestarts} times, then loads the
     * active model from its slot, re-verifying its manifest against today's trusted keys; if that fails, the
     * rollback target is loaded instead.
     */
    public void restore() {
        AgentState s = store.state().started();
        commitQuietly(s);
        AgentState.Installed a = s.active();
        if (a == null) {
            return;
        }
        if (s.probation() && s.crashes() >= crashLoopRestarts && s.previous() != null) {
            rollBackOnStart(a, a + " rolled back: the agent restarted " + s.crashes() + " times without completing"
                    + " its probation (crash loop)");
            return;
        }
        try {
            LoadedModel model = load(a);
            active.set(model);
            LOG.log(System.Logger.Level.INFO, "restored {0} from {1}{2}", model, store.root(),
                    s.probation() ? " (on probation, " + s.crashes() + " crashes)" : "");
        } catch (BundleException | IOException e) {
            if (s.previous() == null) {
                listener.refused(a.modelId(), a.version(), a.variant(), "stored model cannot be restored: " + e.getMessage());
            } else {
                rollBackOnStart(a, a + " fails its self-test on start (" + e.getMessage() + "); rolled back");
            }
        }
    }

    /**
     * Loads a stored, verified variant and, if every check passes, commits it as the active model (on
     * probation, the model it replaces as rollback target) and swaps it in.
     *
     * @param manifestSha256 hex SHA-256 of the SignedManifest in the slot, trusted if the version is the newest
     * @return null when it serves, else the reason it was refused (already reported)
     */
    public String activate(Slot slot, Manifest m, Variant v, String manifestSha256, String reason) {
        AgentState s = store.state();
        long now = System.currentTimeMillis();
        AgentState.Installed next = new AgentState.Installed(slot, m.getModelId(), m.getVersion(), v.getId(), reason, now);
        LoadedModel model;
        try {
            model = ModelLoader.load(m, v, store.graphFile(slot, v.getId()), reason, options.apply(m.getModelId(), v),
                    profile.modelMemoryBudgetBytes(), now);
        } catch (BundleException | IOException e) {
            try {
                store.remove(slot, v.getId());
            } catch (IOException | IllegalStateException io) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", next, io.getMessage());
            }
            listener.refused(m.getModelId(), m.getVersion(), v.getId(), e.getMessage());
            return e.getMessage();
        }
        AgentState.Installed prev = s.active();
        boolean replacesActive = prev != null && !(prev.slot() == slot && prev.variant().equals(v.getId()));
        AgentState.Installed rollbackTo = replacesActive ? prev : s.previous();
        if (rollbackTo != null && rollbackTo.slot() == slot && rollbackTo.variant().equals(v.getId())) {
            rollbackTo = null; // activating the rollback target itself
        }
        String failure = swapIn(model, s.activated(next, rollbackTo, manifestSha256), ModelEvent.Kind.ACTIVATED, reason);
        if (failure == null) {
            LOG.log(System.Logger.Level.INFO, "activated {0}: weights {1} (predicted {2}), arena {3} for batches up"
                            + " to {4} (planned {5} at batch 1), {6} thread(s)", model, SizeFormat.bytes(model.weightBytes()),
                    SizeFormat.bytes(v.getWeightBytes()), SizeFormat.bytes(model.arenaBytes()),
                    Integer.toString(model.maxBatch()), SizeFormat.bytes(v.getPlannedPeakBytes()),
                    Integer.toString(model.threads()));
            try {
                store.pruneDownloads(m.getModelId(), m.getVersion());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot prune old downloads of {0}: {1}", m.getModelId(), e.getMessage());
            }
        }
        return failure;
    }

    /**
     * Activates a variant already stored in a slot (the active version or the rollback target's): on command,
     * or after tuning measured it the better choice.
     *
     * @return null when it serves, else why not
     */
    public String activateStored(long version, String variant, String reason) throws RefusedException {
        AgentState s = store.state();
        AgentState.Installed at = null;
        for (AgentState.Installed i : new AgentState.Installed[] {s.active(), s.previous()}) {
            if (at == null && i != null && i.version() == version) {
                at = i;
            }
        }
        if (at == null) {
            throw new RefusedException("version " + version + " is not stored here; stored: " + stored(s));
        }
        if (s.active() != null && s.active().slot() == at.slot() && s.active().variant().equals(variant)) {
            throw new RefusedException(s.active() + " is already active");
        }
        List<String> variants;
        try {
            variants = store.variants(at.slot());
        } catch (IOException e) {
            return "cannot list slot " + at.slot().dirName() + ": " + e.getMessage();
        }
        if (!variants.contains(variant)) {
            throw new RefusedException("variant " + variant + " of " + at.modelId() + " v" + version
                    + " is not stored here; stored: " + String.join(", ", variants));
        }
        byte[] signed;
        Manifest m;
        Variant v;
        try {
            signed = Files.readAllBytes(store.manifestFile(at.slot()));
            m = verifier.verify(signed);
            v = variant(m, variant);
        } catch (BundleException | IOException e) {
            return "stored manifest of " + at.modelId() + " v" + version + " cannot be used: " + e.getMessage();
        }
        long need = VariantSelector.memoryBytes(v);
        if (need > profile.modelMemoryBudgetBytes()) {
            throw new RefusedException("variant " + variant + " needs " + SizeFormat.bytes(need) + ", more than the "
                    + SizeFormat.bytes(profile.modelMemoryBudgetBytes()) + " budget of " + profile.name());
        }
        return activate(at.slot(), m, v, HexFormat.of().formatHex(Chunks.sha256(signed)), reason);
    }

    /**
     * On command: the rollback target serves again (trusted: it served before) and the model it replaces becomes
     * the rollback target — only while {@code expectedVersion} of {@code modelId} (empty: any model) serves, so
     * that the same command delivered twice does not toggle back.
     *
     * @return null when it serves, else why not
     * @throws StaleException when another model or version serves
     */
    public String rollback(long expectedVersion, String modelId) throws RefusedException {
        AgentState s = store.state();
        AgentState.Installed from = s.active();
        if (from == null) {
            throw new StaleException("no model serves; the rollback expects v" + expectedVersion);
        }
        if (from.version() != expectedVersion || !(modelId.isEmpty() || modelId.equals(from.modelId()))) {
            throw new StaleException("serving " + from + ", not " + (modelId.isEmpty() ? from.modelId() : modelId)
                    + " v" + expectedVersion + " that the rollback expects");
        }
        AgentState.Installed target = s.previous();
        if (target == null) {
            throw new RefusedException("there is no model to roll back to");
        }
        LoadedModel model;
        try {
            model = load(target);
        } catch (BundleException | IOException e) {
            return "rollback target " + target + " cannot be loaded: " + e.getMessage();
        }
        AgentState next = new AgentState(target, s.active(), false, 0, s.running(), s.trusted(), s.sequence(),
                s.reportIntervalSeconds());
        return swapIn(model, next, ModelEvent.Kind.ROLLED_BACK, "rolled back by command");
    }

    /** The active model served its probation: a later crash loop no longer rolls it back. */
    public void confirm(LoadedModel model) {
        AgentState s = store.state();
        if (active.get() == model && s.probation()) {
            if (commitQuietly(s.confirmed())) {
                LOG.log(System.Logger.Level.INFO, "{0} served its probation", model);
            }
        }
    }

    /** The agent stops cleanly: the next start is no crash. */
    public void stopped() {
        commitQuietly(store.state().stopped());
    }

    /** The model a rollback would return to, as DeviceStatus describes it, or null. */
    public ActiveModel rollbackTarget() {
        AgentState.Installed p = store.state().previous();
        return p == null ? null : describe(p);
    }

    public boolean onProbation() {
        return store.state().probation();
    }

    /** Thrown by commands that cannot apply, with the reason they answer. */
    public static class RefusedException extends Exception {

        public RefusedException(String reason) {
            super(reason);
        }
    }

    /** Thrown by a command that expects the device in another state (e.g. a Rollback already done). */
    public static final class StaleException extends RefusedException {

        public StaleException(String reason) {
            super(reason);
        }
    }

    // ---- internals ----

    private void rollBackOnStart(AgentState.Installed bad, String why) {
        AgentState s = store.state();
        AgentState.Installed target = s.previous();
        AgentState back = s.rolledBack();
        LoadedModel model;
        try {
            model = load(target);
        } catch (BundleException | IOException e) {
            listener.refused(bad.modelId(), bad.version(), bad.variant(), why + "; the rollback target " + target
                    + " cannot be loaded either: " + e.getMessage());
            return;
        }
        listener.refused(bad.modelId(), bad.version(), bad.variant(), why);
        String failure = swapIn(model, back, ModelEvent.Kind.ROLLED_BACK, why);
        if (failure == null) {
            LOG.log(System.Logger.Level.WARNING, "{0}; {1} serves again", why, model);
        }
    }

    /** Commits {@code next}, then publishes {@code model} and closes the one it replaces. */
    private String swapIn(LoadedModel model, AgentState next, ModelEvent.Kind kind, String reason) {
        AgentState.Installed before = store.state().active();
        try {
            store.save(next);
        } catch (IOException e) {
            model.close();
            String why = "cannot record the change: " + e.getMessage();
            listener.refused(model.modelId(), model.version(), model.variant().getId(), why);
            return why;
        }
        LoadedModel previous = active.getAndSet(model);
        if (previous != null) {
            previous.close(); // waits for a request still running on it
        }
        listener.changed(kind, model.describe(), before == null ? null : describe(before), reason);
        return null;
    }

    private LoadedModel load(AgentState.Installed a) throws BundleException, IOException {
        byte[] signed = Files.readAllBytes(store.manifestFile(a.slot()));
        Manifest m = verifier.verify(signed);
        if (!m.getModelId().equals(a.modelId()) || m.getVersion() != a.version()) {
            throw new BundleException("slot " + a.slot().dirName() + " holds " + m.getModelId() + " v" + m.getVersion()
                    + ", the state names " + a.modelId() + " v" + a.version());
        }
        Variant v = variant(m, a.variant());
        return ModelLoader.load(m, v, store.graphFile(a.slot(), a.variant()), a.reason(), options.apply(m.getModelId(), v),
                profile.modelMemoryBudgetBytes(), a.activatedEpochMillis());
    }

    private boolean commitQuietly(AgentState next) {
        try {
            store.save(next);
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write {0}: {1}", store.root(), e.getMessage());
            return false;
        }
    }

    private String stored(AgentState s) {
        StringBuilder b = new StringBuilder();
        for (AgentState.Installed i : new AgentState.Installed[] {s.active(), s.previous()}) {
            if (i != null) {
                try {
                    b.append(b.length() == 0 ? "" : "; ").append(i.modelId()).append(" v").append(i.version()).append(' ')
                            .append(String.join(", ", store.variants(i.slot())));
                } catch (IOException e) {
                    b.append(b.length() == 0 ? "" : "; ").append(i);
                }
            }
        }
        return b.length() == 0 ? "nothing" : b.toString();
    }

    public static Variant variant(Manifest m, String id) throws BundleException {
        for (Variant v : m.getVariantsList()) {
            if (v.getId().equals(id)) {
                return v;
            }
        }
        throw new BundleException("manifest of " + m.getModelId() + " v" + m.getVersion() + " has no variant " + id);
    }

    /** How DeviceStatus and events describe a stored model. */
    public static ActiveModel describe(AgentState.Installed i) {
        return ActiveModel.newBuilder().setModelId(i.modelId()).setVersion(i.version()).setVariant(i.variant())
                .setSelectionReason(i.reason()).setActivatedEpochMillis(i.activatedEpochMillis()).build();
    }
}
