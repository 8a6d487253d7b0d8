package dev.pipit.runtime.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * TFLite Micro's greedy-by-size placement: buffers largest first, each at the lowest offset where it
 * overlaps (in space) no already placed buffer that is live at the same time. Optimal placement is
 * NP-complete; this stays near the lower bound (the largest set of simultaneously live buffers) on
 * chains and small CNNs.
 */
public final class GreedyMemoryPlanner {

    private GreedyMemoryPlanner() {
    }

    public static MemoryPlan plan(List<BufferLifetime> buffers) {
        int n = buffers.size();
        long[] offsets = new long[n];
        Integer[] bySize = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> -buffers.get(i).size())
                        .thenComparingInt(i -> buffers.get(i).firstStep())
                        .thenComparingInt(i -> i))
                .toArray(Integer[]::new);
        List<Integer> placed = new ArrayList<>();
        long arena = 0;
        for (int i : bySize) {
            BufferLifetime buffer = buffers.get(i);
            List<Integer> conflicts = new ArrayList<>();
            for (int p : placed) {
                if (buffers.get(p).overlapsInTime(buffer)) {
                    conflicts.add(p);
                }
            }
            conflicts.sort(Comparator.comparingLong(p -> offsets[p]));
            long offset = 0;
            for (int c : conflicts) {
                if (offsets[c] >= offset + buffer.size()) {
                    break; // the gap below c fits
                }
                offset = Math.max(offset, offsets[c] + buffers.get(c).size());
            }
            offsets[i] = offset;
            placed.add(i);
            arena = Math.max(arena, offset + buffer.size());
        }
        return new MemoryPlan(offsets, arena);
    }
}
