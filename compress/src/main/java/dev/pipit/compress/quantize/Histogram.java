package dev.pipit.compress.quantize;

/**
 * The distribution of a tensor's values over its min-max range in fixed bins: what percentile and
 * MSE calibration read, in constant memory whatever the number of values.
 */
final class Histogram {

    static final int BINS = 2048;

    private final Range range;
    private final long[] counts = new long[BINS];
    private long total;

    Histogram(Range range) {
        this.range = range;
    }

    void add(float[] values) {
        float width = range.max() - range.min();
        for (float v : values) {
            int bin = width > 0 ? (int) ((v - range.min()) / width * BINS) : 0;
            counts[Math.max(0, Math.min(BINS - 1, bin))]++;
        }
        total += values.length;
    }

    private float center(int bin) {
        return range.min() + (range.max() - range.min()) * (bin + 0.5f) / BINS;
    }

    /** The value below which {@code fraction} of the values lie (bin upper edge). */
    float quantile(double fraction) {
        long target = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += counts[b];
            if (seen >= target) {
                return range.min() + (range.max() - range.min()) * (b + 1f) / BINS;
            }
        }
        return range.max();
    }

    Range percentile(double tail) {
        float lo = range.min() < 0 ? Math.min(0f, quantile(tail)) : 0f;
        float hi = range.max() > 0 ? Math.max(0f, quantile(1 - tail)) : 0f;
        return new Range(lo, hi);
    }

    /** Shrinks the range in 1 % steps down to 30 % and keeps the one with the least squared error. */
    Range mseOptimal() {
        Range best = range;
        double bestError = Double.POSITIVE_INFINITY;
        for (int step = 0; step <= 70; step++) {
            float f = 1f - step * 0.01f;
            Range candidate = new Range(range.min() * f, range.max() * f);
            double error = squaredError(candidate);
            if (error < bestError) {
                bestError = error;
                best = candidate;
            }
        }
        return best;
    }

    /** Σ count · (v − dequantize(quantize(v)))² over the bin centres, for int8 parameters covering {@code r}. */
    double squaredError(Range r) {
        dev.pipit.runtime.graph.Quantization q = Int8Math.activation(r);
        double scale = q.scale();
        double error = 0;
        for (int b = 0; b < BINS; b++) {
            if (counts[b] == 0) {
                continue;
            }
            float v = center(b);
            long level = Math.max(-128, Math.min(127, Int8Math.roundHalfAway(v / scale) + q.zeroPoint()));
            double d = v - (level - q.zeroPoint()) * scale;
            error += counts[b] * d * d;
        }
        return error;
    }
}
