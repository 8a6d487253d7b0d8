package dev.pipit.compress.quantize;

/** The observed range of a tensor's values, widened to include 0 (so 0 is exactly representable). */
public record Range(float min, float max) {

    public Range {
        if (!(min <= 0f) || !(max >= 0f) || Float.isInfinite(min) || Float.isInfinite(max)) {
            throw new IllegalArgumentException("a range must be finite and include 0: [" + min + ", " + max + "]");
        }
    }

    public static Range of(float[] values) {
        float min = 0f;
        float max = 0f;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new Range(min, max);
    }

    public Range union(Range other) {
        return new Range(Math.min(min, other.min), Math.max(max, other.max));
    }
}
