package dev.pipit.runtime.plan;

/**
 * Where each buffer lives in the arena.
 *
 * @param offsets one per buffer, in the order the buffers were given
 * @param size the arena size: the end of the highest buffer
 */
public record MemoryPlan(long[] offsets, long size) {

    public MemoryPlan {
        offsets = offsets.clone();
    }

    public long offset(int buffer) {
        return offsets[buffer];
    }

    @Override
    public long[] offsets() {
        return offsets.clone();
    }
}
