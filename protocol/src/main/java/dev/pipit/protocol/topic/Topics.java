package dev.pipit.protocol.topic;

/**
 * The MQTT topic tree, version 1. Who publishes what, with which QoS and retain flag, is documented
 * in protocol/README.md; every topic string in Pipit comes from here.
 */
public final class Topics {

    public static final String ROOT = "pipit/v1";
    /** Retained status of every device (fleet status subscribes here). */
    public static final String ALL_DEVICE_STATUS = ROOT + "/devices/+/status";
    /** Retained latest memory report of every device. */
    public static final String ALL_DEVICE_MEMORY = ROOT + "/devices/+/memory";
    /** Retained RolloutState of every model's latest staged rollout. */
    public static final String ALL_ROLLOUTS = ROOT + "/rollouts/+";

    private Topics() {
    }

    /** Retained, QoS 1: the latest SignedManifest of a model. */
    public static String manifest(String modelId) {
        return ROOT + "/models/" + segment(modelId) + "/manifest";
    }

    /** Retained, QoS 1: one chunk of a variant payload. */
    public static String chunk(String modelId, long version, String variantId, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("chunk index must not be negative: " + index);
        }
        return ROOT + "/models/" + segment(modelId) + "/" + version + "/" + segment(variantId) + "/chunks/" + index;
    }

    /** Every chunk of one variant payload (a filter: the fleet reads a release's chunks back to rebuild it). */
    public static String chunks(String modelId, long version, String variantId) {
        return ROOT + "/models/" + segment(modelId) + "/" + version + "/" + segment(variantId) + "/chunks/+";
    }

    /** Retained, QoS 1: DeviceStatus; also the device's MQTT Will with online = false. */
    public static String deviceStatus(String deviceId) {
        return device(deviceId) + "/status";
    }

    /** Retained, QoS 1: the latest MemoryReport. */
    public static String deviceMemory(String deviceId) {
        return device(deviceId) + "/memory";
    }

    /** QoS 1, not retained: Rejection and activation events, in order. */
    public static String deviceEvents(String deviceId) {
        return device(deviceId) + "/events";
    }

    /** MQTT 5 request/response: InferenceRequest in, InferenceResponse to the response topic. */
    public static String deviceInfer(String deviceId) {
        return device(deviceId) + "/infer";
    }

    /** MQTT 5 request/response: Command in, CommandResult to the response topic. */
    public static String deviceCommands(String deviceId) {
        return device(deviceId) + "/commands";
    }

    /**
     * Retained, QoS 1: the SignedManifest of a model meant for this device only, published by a staged
     * rollout before the release goes fleet-wide on {@link #manifest}; an empty retained message clears it.
     */
    public static String deviceManifest(String deviceId, String modelId) {
        return device(deviceId) + "/models/" + segment(modelId) + "/manifest";
    }

    /** What a device subscribes to for the manifests addressed to it alone. */
    public static String deviceManifests(String deviceId) {
        return device(deviceId) + "/models/+/manifest";
    }

    /**
     * The model named by a manifest topic a device receives: the fleet-wide {@code pipit/v1/models/{model}/manifest}
     * or its own {@code pipit/v1/devices/{deviceId}/models/{model}/manifest}; null for any other topic.
     */
    public static String manifestModelOf(String topic, String deviceId) {
        String suffix = "/manifest";
        for (String prefix : new String[] {ROOT + "/models/", device(deviceId) + "/models/"}) {
            if (topic.startsWith(prefix) && topic.endsWith(suffix) && topic.length() > prefix.length() + suffix.length()) {
                String model = topic.substring(prefix.length(), topic.length() - suffix.length());
                return model.contains("/") ? null : model;
            }
        }
        return null;
    }

    /** Retained, QoS 1: the RolloutState of a model's latest staged rollout, written by the rollout controller. */
    public static String rollout(String modelId) {
        return ROOT + "/rollouts/" + segment(modelId);
    }

    /**
     * QoS 1, not retained: a marker a fleet client publishes to itself after subscribing; brokers send a
     * subscription's retained messages before later publications, so its echo ends the retained ones.
     */
    public static String fleetSync(String clientId) {
        return ROOT + "/fleet/" + segment(clientId) + "/sync";
    }

    /** The model of a rollout state topic, or null if the topic is not one. */
    public static String rolloutModelOf(String topic) {
        String prefix = ROOT + "/rollouts/";
        if (!topic.startsWith(prefix) || topic.length() == prefix.length()) {
            return null;
        }
        String model = topic.substring(prefix.length());
        return model.contains("/") ? null : model;
    }

    /**
     * The response topic a requesting client (fleet, demo, application) names when it asks a device:
     * inside the device's own subtree, so the per-device ACL lets the device answer there and nowhere else.
     */
    public static String deviceResponses(String deviceId, String clientId) {
        return device(deviceId) + "/responses/" + segment(clientId);
    }

    /** What a requesting client subscribes to for the answers of every device it asks. */
    public static String responsesFor(String clientId) {
        return ROOT + "/devices/+/responses/" + segment(clientId);
    }

    /** The device id in a topic under {@code pipit/v1/devices/}, or null if the topic is not one. */
    public static String deviceIdOf(String topic) {
        String prefix = ROOT + "/devices/";
        if (!topic.startsWith(prefix)) {
            return null;
        }
        int end = topic.indexOf('/', prefix.length());
        return end < 0 ? null : topic.substring(prefix.length(), end);
    }

    private static String device(String deviceId) {
        return ROOT + "/devices/" + segment(deviceId);
    }

    /** A topic level taken from user input: non-empty, no separators or wildcards. */
    public static String segment(String s) {
        if (s == null || s.isEmpty() || s.length() > 128 || s.chars().anyMatch(c -> c == '/' || c == '+' || c == '#'
                || c == 0 || Character.isWhitespace(c))) {
            throw new IllegalArgumentException(
                    "not a valid topic level (1-128 characters, no '/', '+', '#' or spaces): '" + s + "'");
        }
        return s;
    }
}
