package dev.pipit.agent;

import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.topic.Topics;
import java.nio.file.Path;
import java.util.List;

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
 * @param stallTimeoutSeconds a download with no new chunk for this long is given up
 * @param limits bundle limits checked before anything is allocated
 * @param username MQTT user name, or null
 * @param password MQTT password, or null
 */
public record AgentConfig(String brokerUrl, String deviceId, DeviceProfile profile, Path stateDir,
                          List<Path> trustedKeys, int reportIntervalSeconds, int chunkWindow, int stallTimeoutSeconds,
                          BundleLimits limits, String username, String password) {

    public static final int DEFAULT_REPORT_INTERVAL_SECONDS = 60;
    public static final int DEFAULT_CHUNK_WINDOW = 8;
    public static final int DEFAULT_STALL_TIMEOUT_SECONDS = 120;

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
        if (limits == null) {
            throw new IllegalArgumentException("bundle limits are needed");
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("a password needs a username");
        }
    }

    /** A configuration with default interval, window, timeout and limits, and no broker login. */
    public static AgentConfig of(String brokerUrl, String deviceId, DeviceProfile profile, Path stateDir,
                                 List<Path> trustedKeys) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, DEFAULT_REPORT_INTERVAL_SECONDS,
                DEFAULT_CHUNK_WINDOW, DEFAULT_STALL_TIMEOUT_SECONDS, BundleLimits.defaults(), null, null);
    }

    public AgentConfig withReportIntervalSeconds(int seconds) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, seconds, chunkWindow,
                stallTimeoutSeconds, limits, username, password);
    }

    public AgentConfig withChunkWindow(int window) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, window,
                stallTimeoutSeconds, limits, username, password);
    }

    public AgentConfig withStallTimeoutSeconds(int seconds) {
        return new AgentConfig(brokerUrl, deviceId, profile, stateDir, trustedKeys, reportIntervalSeconds, chunkWindow,
                seconds, limits, username, password);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "AgentConfig[broker=" + brokerUrl + ", id=" + deviceId + ", profile=" + profile.name() + ", stateDir="
                + stateDir + ", trust=" + trustedKeys + ", reportInterval=" + reportIntervalSeconds + "s, chunkWindow="
                + chunkWindow + ", stallTimeout=" + stallTimeoutSeconds + "s, limits=" + limits + ", username="
                + username + (password == null ? "" : ", password=***") + "]";
    }
}
