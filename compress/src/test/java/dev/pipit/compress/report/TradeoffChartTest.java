package dev.pipit.compress.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TradeoffChartTest {

    private static Map<String, Object> row(String id, double accuracy, long bytes) {
        return Map.of("id", id, "accuracy", accuracy, "weightBytesRam", bytes);
    }

    @Test
    void pareto_dominatedVariants_areLeftOut() {
        List<Map<String, Object>> rows = List.of(row("fp32", 0.88, 400_000), row("int8", 0.879, 100_000),
                row("bad", 0.85, 120_000), row("palette", 0.87, 55_000), row("worse", 0.86, 60_000));
        assertEquals(List.of("palette", "int8", "fp32"), TradeoffChart.pareto(rows).stream().map(r -> r.get("id")).toList());
    }
}
