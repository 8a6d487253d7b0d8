package dev.pipit.agent.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the agent must remember across restarts; {@link StateStore#save} commits it atomically, which is
 * how every activation, rollback and probation decision becomes durable.
 *
 * @param active the model it serves, or null before the first activation
 * @param previous the model a rollback returns to, or null
 * @param probation the active model has not yet served {@code probation} seconds in one run
 * @param crashes unclean restarts of the agent while the active model was on probation
 * @param running set while an agent runs on this directory; still set at start means the last run crashed
 * @param trusted per model, the newest version ever activated: older manifests are refused (rollback)
 * @param sequence the DeviceStatus sequence of the last session (births and Wills pair on it)
 * @param reportIntervalSeconds set by a SetReportInterval command; 0 means the configured interval
 */
public record AgentState(Installed active, Installed previous, boolean probation, int crashes, boolean running,
                         Map<String, Trusted> trusted, long sequence, int reportIntervalSeconds) {

    public AgentState {
        trusted = Map.copyOf(trusted);
        if (sequence < 0 || crashes < 0 || reportIntervalSeconds < 0) {
            throw new IllegalArgumentException("sequence, crashes and report interval must not be negative");
        }
        if (active == null && (previous != null || probation)) {
            throw new IllegalArgumentException("a rollback target or probation needs an active model");
        }
    }

    public static AgentState empty() {
        return new AgentState(null, null, false, 0, false, Map.of(), 0, 0);
    }

    /**
     * {@code next} serves from now on, on probation, with {@code rollbackTo} as the model a rollback returns
     * to; {@code manifestSha256} becomes the trusted manifest of its model if its version is the newest.
     */
    public AgentState activated(Installed next, Installed rollbackTo, String manifestSha256) {
        Map<String, Trusted> t = new TreeMap<>(trusted);
        Trusted known = t.get(next.modelId());
        if (known == null || next.version() > known.version()) {
            t.put(next.modelId(), new Trusted(next.version(), manifestSha256));
        }
        return new AgentState(next, rollbackTo, true, 0, running, t, sequence, reportIntervalSeconds);
    }

    /** The rollback target serves again, trusted (it served before); the model it replaces is forgotten. */
    public AgentState rolledBack() {
        if (previous == null) {
            throw new IllegalStateException("there is no model to roll back to");
        }
        return new AgentState(previous, null, false, 0, running, trusted, sequence, reportIntervalSeconds);
    }

    /** The active model served its probation: no crash loop will roll it back any more. */
    public AgentState confirmed() {
        return new AgentState(active, previous, false, 0, running, trusted, sequence, reportIntervalSeconds);
    }

    /** An agent starts on this state: counts the last run as a crash if it never stopped cleanly. */
    public AgentState started() {
        int c = running && probation ? crashes + 1 : crashes;
        return new AgentState(active, previous, probation, c, true, trusted, sequence, reportIntervalSeconds);
    }

    /** The agent stops cleanly. */
    public AgentState stopped() {
        return new AgentState(active, previous, probation, crashes, false, trusted, sequence, reportIntervalSeconds);
    }

    /** Forgets the rollback target, e.g. before its slot is overwritten. */
    public AgentState withoutPrevious() {
        return new AgentState(active, null, probation, crashes, running, trusted, sequence, reportIntervalSeconds);
    }

    public AgentState withSequence(long next) {
        return new AgentState(active, previous, probation, crashes, running, trusted, next, reportIntervalSeconds);
    }

    public AgentState withReportInterval(int seconds) {
        return new AgentState(active, previous, probation, crashes, running, trusted, sequence, seconds);
    }

    /**
     * A model installed in a slot of the store.
     *
     * @param reason why this variant was selected
     * @param activatedEpochMillis when it was activated
     */
    public record Installed(Slot slot, String modelId, long version, String variant, String reason,
                            long activatedEpochMillis) {

        public Installed {
            if (slot == null) {
                throw new IllegalArgumentException("an installed model needs a slot");
            }
            StateStore.checkName("model id", modelId);
            StateStore.checkName("variant id", variant);
            if (version < 1) {
                throw new IllegalArgumentException("version must be positive, was " + version);
            }
            reason = reason == null ? "" : reason;
        }

        /** Whether this is the same version of the same model (any variant). */
        public boolean sameVersion(String model, long v) {
            return modelId.equals(model) && version == v;
        }

        @Override
        public String toString() {
            return modelId + " v" + version + " " + variant;
        }
    }

    /**
     * The newest accepted manifest of a model.
     *
     * @param manifestSha256 hex SHA-256 of its SignedManifest bytes, to tell a re-delivery from a forgery
     */
    public record Trusted(long version, String manifestSha256) {
    }
}
