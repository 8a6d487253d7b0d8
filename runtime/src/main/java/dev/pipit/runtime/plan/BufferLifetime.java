package dev.pipit.runtime.plan;

/**
 * A buffer to place in an arena: its size and the steps during which it holds live data.
 *
 * @param size in arena units (bytes or elements), positive
 * @param firstStep the step that writes it first
 * @param lastStep the last step that reads it, at or after {@code firstStep}
 */
public record BufferLifetime(long size, int firstStep, int lastStep) {

    public BufferLifetime {
        if (size < 1) {
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        if (firstStep < 0 || lastStep < firstStep) {
            throw new IllegalArgumentException("buffer lifetime [" + firstStep + ", " + lastStep + "] is empty or negative");
        }
    }

    /** Whether both buffers hold live data during some step. */
    public boolean overlapsInTime(BufferLifetime other) {
        return firstStep <= other.lastStep && other.firstStep <= lastStep;
    }
}
