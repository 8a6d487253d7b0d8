package dev.pipit.agent.select;

import dev.pipit.protocol.v1.Variant;

/** Batch-1 latencies this device measured (the tune command), which a manifest cannot know. */
@FunctionalInterface
public interface MeasuredLatency {

    /** Nothing measured: selection by the manifest alone. */
    MeasuredLatency NONE = v -> -1;

    /** The median batch-1 latency measured for a variant in microseconds, or -1 if it was never measured. */
    long p50Micros(Variant v);
}
