package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.runtime.graph.Graph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Static int8 whose weights round stochastically (seeded), with the int8 variant's calibration. Five
 * seeds are measured; the bundled graph is the first seed's. The spread shows how much of the int8
 * result is luck of rounding.
 */
final class StochasticRoundingInt8 implements Technique {

    static final int SEEDS = 5;

    @Override
    public String id() {
        return "int8-sr";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Calibrator.Result c = Calibrator.select(context.parent(), context.calibration(), context.calibrationCount(),
                WeightQuantizer.perChannel());
        double nearest = context.testAccuracy(StaticQuantizer.quantize(context.parent(), c.ranges(), WeightQuantizer.perChannel()));
        List<Double> accuracies = new ArrayList<>();
        Graph first = null;
        for (int s = 0; s < SEEDS; s++) {
            Graph g = StaticQuantizer.quantize(context.parent(), c.ranges(), WeightQuantizer.stochastic(context.seed() + s));
            first = first == null ? g : first;
            accuracies.add(context.testAccuracy(g));
            context.log().printf(Locale.ROOT, "  int8-sr: seed %d  accuracy %.2f%%%n", context.seed() + s, 100 * accuracies.get(s));
        }
        double mean = accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double std = Math.sqrt(accuracies.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (SEEDS - 1));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("seeds", SEEDS);
        details.put("accuracies", accuracies);
        details.put("meanAccuracy", mean);
        details.put("stdAccuracy", std);
        details.put("nearestRoundingAccuracy", nearest);
        return new VariantResult(first, String.format(Locale.ROOT,
                "static int8, weights stochastically rounded (seed %d; %d seeds: %.2f%% ± %.2f vs %.2f%% round-to-nearest)",
                context.seed(), SEEDS, 100 * mean, 100 * std, 100 * nearest), CompressionContext.describe(c), details);
    }
}
