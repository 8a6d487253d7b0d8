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
 * then to manifest order.
 */
public final class VariantSelector {

    private static final Comparator<Variant> BEST = Comparator
            .comparingDouble(Variant::getAccuracy).reversed()
            .thenComparingLong(VariantSelector::memoryBytes);

    private VariantSelector() {
    }

    public static Selection select(Manifest manifest, DeviceProfile profile) {
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
        for (String e : excluded) {
            reason.append("; ").append(e);
        }
        return new Selection.Chosen(best, reason.toString());
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
    static long memoryBytes(Variant v) {
        long w = v.getWeightBytes();
        long p = v.getPlannedPeakBytes();
        if (w < 0 || p < 0 || w > Long.MAX_VALUE - p) {
            return Long.MAX_VALUE;
        }
        return w + p;
    }
}
