package dev.pipit.agent.select;

import dev.pipit.protocol.v1.Variant;

/** The outcome of choosing a variant for a device; the reason is what the device reports. */
public sealed interface Selection {

    String reason();

    /** The variant to download and activate. */
    record Chosen(Variant variant, String reason) implements Selection {
    }

    /** No variant fits the device; the manifest is rejected with this reason. */
    record NoneFits(String reason) implements Selection {
    }
}
