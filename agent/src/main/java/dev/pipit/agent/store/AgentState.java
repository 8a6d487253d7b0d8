package dev.pipit.agent.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the agent must remember across restarts.
 *
 * @param active the model it serves, or null before the first activation
 * @param trusted per model, the newest version ever activated: older ones are refused (rollback)
 * @param sequence the DeviceStatus sequence of the last session (births and Wills pair on it)
 */
public record AgentState(Installed active, Map<String, Trusted> trusted, long sequence) {

    public AgentState {
        trusted = Map.copyOf(trusted);
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
        }
    }

    public static AgentState empty() {
        return new AgentState(null, Map.of(), 0);
    }

    /** The active model, recorded as trusted at its version. */
    public AgentState activated(Installed model, String manifestSha256) {
        Map<String, Trusted> t = new TreeMap<>(trusted);
        t.put(model.modelId(), new Trusted(model.version(), manifestSha256));
        return new AgentState(model, t, sequence);
    }

    public AgentState withSequence(long next) {
        return new AgentState(active, trusted, next);
    }

    /**
     * A model installed in the store.
     *
     * @param reason why this variant was selected
     * @param activatedEpochMillis when it was activated
     */
    public record Installed(String modelId, long version, String variant, String reason, long activatedEpochMillis) {

        public Installed {
            StateStore.checkName("model id", modelId);
            StateStore.checkName("variant id", variant);
            if (version < 1) {
                throw new IllegalArgumentException("version must be positive, was " + version);
            }
            reason = reason == null ? "" : reason;
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
