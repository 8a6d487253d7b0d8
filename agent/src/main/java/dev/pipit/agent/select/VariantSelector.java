package dev.pipit.agent.select;

import static dev.pipit.agent.select.SizeFormat.bytes;
import static dev.pipit.agent.select.SizeFormat.percent;

import dev.pipit.profile.DeviceProfile;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the variant a device runs: among those whose weights plus planned arena fit the profile's
 * model memory budget and whose accuracy meets its floor, the most accurate; ties go to fewer bytes,
 * then to manifest order. Where this device measured a variant's batch-1 latency (the manifest cannot
 * know it), a variant that misses the profile's latency budget is passed over; if every variant that
 * fits misses it, the fastest measured one wins.
 */
public final class VariantSelector {

    private static final Comparator<Variant> BEST = Comparator
            .comparingDouble(Variant::getAccuracy).reversed()
            .thenComparingLong(VariantSelector::memoryBytes);

    private VariantSelector() {
    }

    public static Selection select(Manifest manifest, DeviceProfile profile) {
        return select(manifest, profile, MeasuredLatency.NONE);
    }

    public static Selection select(Manifest manifest, DeviceProfile profile, MeasuredLatency measured) {
        long budget = profile.modelMemoryBudgetBytes();
        double floor = profile.accuracyFloor();
        List<Variant> fit = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (Variant v : manifest.getVariantsList()) {
            long need = memoryBytes(v);
            if (need > budget) {
                excluded.add(v.getId() + " needs " + bytes(need));
            } else if (!(v.getAccuracy() >= floor)) {
                excluded.add(v.getId() + " is below the accuracy floor (" + percent(v.getAccuracy()) + " < "
                        + percent(floor) + ")");
            } else {
                fit.add(v);
            }
        }
        if (fit.isEmpty()) {
            return new Selection.NoneFits("no variant of " + manifest.getModelId() + " v" + manifest.getVersion()
                    + " fits " + profile.name() + " (budget " + bytes(budget) + ", accuracy floor " + percent(floor)
                    + "): " + String.join("; ", excluded));
        }
        long latencyMicros = Math.round(profile.latencyBudgetMillis() * 1000);
        List<Variant> fast = fit.stream().filter(v -> measured.p50Micros(v) <= latencyMicros).toList();
        if (fast.isEmpty()) { // every variant that fits was measured too slow: the fastest of them
            Variant best = fit.stream().min(Comparator.comparingLong(measured::p50Micros)).orElseThrow();
            StringBuilder reason = new StringBuilder(best.getId()).append(": fits ").append(bytes(budget))
                    .append(" budget (").append(bytes(memoryBytes(best))).append("), the fastest measured (p50 ")
                    .append(micros(measured.p50Micros(best))).append("), though no variant meets the ")
                    .append(millis(profile.latencyBudgetMillis())).append(" latency budget");
            for (Variant v : fit) {
                if (v != best) {
                    reason.append("; ").append(v.getId()).append(" p50 ").append(micros(measured.p50Micros(v)));
                }
            }
            for (String e : excluded) {
                reason.append("; ").append(e);
            }
            return new Selection.Chosen(best, reason.toString());
        }
        for (Variant v : fit) {
            if (!fast.contains(v)) {
                excluded.add(v.getId() + " misses the " + millis(profile.latencyBudgetMillis())
                        + " latency budget (measured p50 " + micros(measured.p50Micros(v)) + ")");
            }
        }
        fit = fast;
        Variant best = fit.stream().min(BEST).orElseThrow();
        StringBuilder reason = new StringBuilder(best.getId()).append(": fits ").append(bytes(budget))
                .append(" budget (").append(bytes(memoryBytes(best))).append("), ");
        if (fit.size() == 1) {
            reason.append("accuracy ").append(percent(best.getAccuracy())).append(", the only variant that fits");
        } else {
            reason.append("highest accuracy ").append(percent(best.getAccuracy())).append(" of ").append(fit.size())
                    .append(" that fit");
            if (fit.stream().anyMatch(v -> v != best && v.getAccuracy() == best.getAccuracy())) {
                reason.append(", fewest bytes among equally accurate");
            }
        }
        if (measured.p50Micros(best) >= 0) {
            reason.append(", measured p50 ").append(micros(measured.p50Micros(best)));
        }
        for (String e : excluded) {
            reason.append("; ").append(e);
        }
        return new Selection.Chosen(best, reason.toString());
    }

    /** The variants a device could run: within its memory budget and at or above its accuracy floor. */
    public static List<Variant> candidates(Manifest manifest, DeviceProfile profile) {
        return manifest.getVariantsList().stream()
                .filter(v -> memoryBytes(v) <= profile.modelMemoryBudgetBytes() && v.getAccuracy() >= profile.accuracyFloor())
                .toList();
    }

    /** A latency in microseconds as people read it: "850 µs", "12.5 ms". */
    static String micros(long us) {
        return millis(us / 1000.0);
    }

    private static String millis(double ms) {
        if (ms < 1) {
            return Math.round(ms * 1000) + " µs";
        }
        String s = String.format(java.util.Locale.ROOT, "%.1f", ms);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + " ms";
    }

    /**
     * The largest batch a device should plan its arena for: as many batch-1 arenas as fit the budget beside
     * the weights (arenas grow about linearly with the batch), at least 1 and at most {@code cap}.
     */
    public static int maxBatch(Variant v, DeviceProfile profile, int cap) {
        long headroom = profile.modelMemoryBudgetBytes() - Math.max(0, v.getWeightBytes());
        long perSample = Math.max(1, v.getPlannedPeakBytes());
        return (int) Math.max(1, Math.min(cap, headroom / perSample));
    }

    /** Weights plus planned arena; a declared size beyond {@code long} counts as unaffordable. */
    public static long memoryBytes(Variant v) {
        long w = v.getWeightBytes();
        long p = v.getPlannedPeakBytes();
        if (w < 0 || p < 0 || w > Long.MAX_VALUE - p) {
            return Long.MAX_VALUE;
        }
        return w + p;
    }
}
