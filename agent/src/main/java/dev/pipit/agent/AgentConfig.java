package dev.pipit.agent;

import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.trust.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How one agent runs. Config keys and flags: see agent/README.md.
 *
 * @param brokerUrl e.g. {@code tcp://broker:1883} or {@code ssl://broker:8883}
 * @param deviceId the MQTT client id and the device's topic level
 * @param profile what the device offers a model
 * @param stateDir where models and state are kept
 * @param trustedKeys Ed25519 public keys (PEM) a manifest must be signed by
 * @param reportIntervalSeconds between status and memory reports
 * @param chunkWindow chunk topics subscribed at once during a download
 * @param stallTimeoutSeconds a download with no new chunk for this long (while connected) is given up
 * @param limits bundle limits checked before anything is allocated
 * @param username MQTT user name, or null
 * @param password MQTT password, or null
 * @param group the rollout group this device belongs to, reported in DeviceStatus
 * @param receiveMaximum MQTT 5 Receive Maximum: QoS 1 messages the broker may send ahead of acknowledgements
 * @param sessionExpirySeconds how long the broker keeps the device's session while it is offline
 * @param offlineBuffer reports kept (newest first) while the broker is unreachable
 * @param probationSeconds how long a new model must serve in one run before a crash loop no longer rolls it back
 * @param crashLoopRestarts unclean restarts during probation that roll a new model back
 * @param inferenceThreads intra-op threads of the interpreter (0: the profile's cores), unless tuning measured better
 * @param localSocket a Unix domain socket serving inference on the device, or null for none
 * @param tuneAfterActivation measure the fitting variants after every activation of a new version
 * @param tls MQTT over TLS (ssl:// URL): the broker's CA and this device's certificate and key, or null
 * @param models the model ids this device accepts manifests for; empty: any
 */
public record AgentConfig(String brokerUrl, String deviceId, DeviceProfile profile, Path stateDir,
                          List<Path> trustedKeys, int reportIntervalSeconds, int chunkWindow, int stallTimeoutSeconds,
                          BundleLimits limits, String username, String password, String group, int receiveMaximum,
                          long sessionExpirySeconds, int offlineBuffer, int probationSeconds, int crashLoopRestarts,
                          int inferenceThreads, Path localSocket, boolean tuneAfterActivation,
                          TlsSettings tls, Set<String> models) {

    public static final String DEFAULT_GROUP = "default";
    public static final int DEFAULT_REPORT_INTERVAL_SECONDS = 60;
    public static final int DEFAULT_CHUNK_WINDOW = 8;
    public static final int DEFAULT_STALL_TIMEOUT_SECONDS = 120;
    public static final int DEFAULT_RECEIVE_MAXIMUM = 16;
    public static final long DEFAULT_SESSION_EXPIRY_SECONDS = 3600;
    public static final int DEFAULT_OFFLINE_BUFFER = 100;
    public static final int DEFAULT_PROBATION_SECONDS = 120;
    /** Below systemd's StartLimitBurst=5 of the shipped unit: the rollback happens before systemd gives up. */
    public static final int DEFAULT_CRASH_LOOP_RESTARTS = 3;
    public static final int DEFAULT_INFERENCE_THREADS = 1;

    public AgentConfig {
        if (brokerUrl == null || brokerUrl.isBlank()) {
            throw new IllegalArgumentException("a broker URL is needed, e.g. tcp://localhost:1883");
        }
        Topics.segment(deviceId);
        if (profile == null || stateDir == null) {
            throw new IllegalArgumentException("a device profile and a state directory are needed");
        }
        trustedKeys = List.copyOf(trustedKeys);
        if (trustedKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted public key is needed (--trust)");
        }
        if (reportIntervalSeconds < 1 || chunkWindow < 1 || stallTimeoutSeconds < 1) {
            throw new IllegalArgumentException("report interval, chunk window and stall timeout must be positive");
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException("receive maximum must be 1 to 65535, was " + receiveMaximum);
        }
        if (sessionExpirySeconds < 0 || offlineBuffer < 1 || probationSeconds < 1 || crashLoopRestarts < 1
                || inferenceThreads < 0) {
            throw new IllegalArgumentException("session expiry must not be negative; offline buffer, probation and"
                    + " crash-loop restarts must be positive; inference threads not negative");
        }
        if (limits == null) {
            throw new IllegalArgumentException("bundle limits are needed");
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("a password needs a username");
        }
        group = group == null || group.isBlank() ? DEFAULT_GROUP : group.strip();
        models = models == null ? Set.of() : Set.copyOf(models);
        models.forEach(Topics::segment);
    }

    /** A configuration with default interval, window, timeout, limits and safety settings, and no broker login. */
    public static AgentConfig of(String brokerUrl, String deviceId, DeviceProfile profile, Path stateDir,
                                 List<Path> trustedKeys) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, DEFAULT_REPORT_INTERVAL_SECONDS,
                DEFAULT_CHUNK_WINDOW, DEFAULT_STALL_TIMEOUT_SECONDS, BundleLimits.defaults(), null, null,
                DEFAULT_GROUP, DEFAULT_RECEIVE_MAXIMUM, DEFAULT_SESSION_EXPIRY_SECONDS, DEFAULT_OFFLINE_BUFFER, DEFAULT_PROBATION_SECONDS,
                DEFAULT_CRASH_LOOP_RESTARTS, DEFAULT_INFERENCE_THREADS, null, false, null, Set.of());
    }

    public AgentConfig withReportIntervalSeconds(int seconds) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, seconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withChunkWindow(int window) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, window,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withStallTimeoutSeconds(int seconds) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                seconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withGroup(String group) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withOfflineBuffer(int reports) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, reports,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withProbation(int seconds, int restarts) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                seconds, restarts, inferenceThreads, localSocket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withLocalSocket(Path socket) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, socket, tuneAfterActivation, tls, models);
    }

    public AgentConfig withTls(TlsSettings settings) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, settings, models);
    }

    public AgentConfig withModels(Set<String> modelIds) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password, group, receiveMaximum, sessionExpirySeconds, offlineBuffer,
                probationSeconds, crashLoopRestarts, inferenceThreads, localSocket, tuneAfterActivation, tls, modelIds);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "AgentConfig[broker=" + brokerUrl + ", id=" + deviceId + ", profile=" + profile.name() + ", stateDir="
                + stateDir + ", trust=" + trustedKeys + ", reportInterval=" + reportIntervalSeconds + "s, chunkWindow="
                + chunkWindow + ", stallTimeout=" + stallTimeoutSeconds + "s, limits=" + limits + ", username="
                + username + (password == null ? "" : ", password=***") + ", group=" + group + ", receiveMaximum=" + receiveMaximum
                + ", sessionExpiry=" + sessionExpirySeconds + "s, offlineBuffer=" + offlineBuffer + ", probation="
                + probationSeconds + "s, crashLoopRestarts=" + crashLoopRestarts + ", inferenceThreads="
                + inferenceThreads + ", localSocket=" + localSocket + ", tuneAfterActivation=" + tuneAfterActivation + ", tls=" + tls + ", models=" + models
                + "]";
    }
}
