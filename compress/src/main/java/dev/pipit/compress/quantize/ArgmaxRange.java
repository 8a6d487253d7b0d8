package dev.pipit.compress.quantize;

/**
 * The int8 range of a classifier's logits when only their argmax matters: the span of every sample's two
 * largest logits (and 0). A smaller logit is clipped up to the floor at most and never overtakes the
 * largest, so the range need not cover it; a narrower range is a finer grid, so fewer leading logits round
 * onto the same int8 value (a tie the argmax breaks by class order, right or wrong).
 */
public final class ArgmaxRange {

    private ArgmaxRange() {
    }

    /** @param logits {@code [count, classes]} row-major, {@code classes >= 2} */
    public static Range of(float[] logits, int count, int classes) {
        if (classes < 2 || logits.length != count * classes) {
            throw new IllegalArgumentException("need [count, classes >= 2] logits, got " + logits.length + " values for "
                    + count + " x " + classes);
        }
        float min = 0f;
        float max = 0f;
        for (int i = 0; i < count; i++) {
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int c = i * classes; c < (i + 1) * classes; c++) {
                float v = logits[c];
                if (v > first) {
                    second = first;
                    first = v;
                } else if (v > second) {
                    second = v;
                }
            }
            min = Math.min(min, second);
            max = Math.max(max, first);
        }
        return new Range(min, max);
    }
}
