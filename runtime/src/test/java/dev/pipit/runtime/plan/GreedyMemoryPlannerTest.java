package dev.pipit.runtime.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GreedyMemoryPlannerTest {

    /** The largest total size of buffers live at one step: no placement can use less. */
    private static long lowerBound(List<BufferLifetime> buffers) {
        int steps = buffers.stream().mapToInt(BufferLifetime::lastStep).max().orElse(-1) + 1;
        long best = 0;
        for (int s = 0; s < steps; s++) {
            int step = s;
            best = Math.max(best, buffers.stream().filter(b -> b.firstStep() <= step && step <= b.lastStep())
                    .mapToLong(BufferLifetime::size).sum());
        }
        return best;
    }

    private static long sum(List<BufferLifetime> buffers) {
        return buffers.stream().mapToLong(BufferLifetime::size).sum();
    }

    private static void assertNoLiveOverlap(List<BufferLifetime> buffers, MemoryPlan plan) {
        for (int i = 0; i < buffers.size(); i++) {
            assertTrue(plan.offset(i) >= 0 && plan.offset(i) + buffers.get(i).size() <= plan.size());
            for (int j = i + 1; j < buffers.size(); j++) {
                boolean apart = plan.offset(i) + buffers.get(i).size() <= plan.offset(j)
                        || plan.offset(j) + buffers.get(j).size() <= plan.offset(i);
                assertTrue(apart || !buffers.get(i).overlapsInTime(buffers.get(j)),
                        "buffers " + i + " and " + j + " are live together and overlap");
            }
        }
    }

    @Test
    void plan_mlpChain_withinFivePercentOfLowerBound() {
        // 784 → 512 → 256 → 128 → 10, batch 8: each activation lives from its producer to its reader.
        int[] widths = {784, 512, 256, 128, 10};
        List<BufferLifetime> buffers = new ArrayList<>();
        for (int i = 0; i < widths.length; i++) {
            buffers.add(new BufferLifetime(8L * widths[i], i, i + 1));
        }
        MemoryPlan plan = GreedyMemoryPlanner.plan(buffers);
        assertNoLiveOverlap(buffers, plan);
        assertTrue(plan.size() >= lowerBound(buffers));
        assertTrue(plan.size() <= 1.05 * lowerBound(buffers), plan.size() + " vs bound " + lowerBound(buffers));
        assertTrue(plan.size() <= sum(buffers));
    }

    @Test
    void plan_randomLifetimes_neverOverlapsLiveBuffersAndStaysBetweenBounds() {
        SplittableRandom random = new SplittableRandom(17);
        for (int trial = 0; trial < 500; trial++) {
            List<BufferLifetime> buffers = new ArrayList<>();
            int count = random.nextInt(1, 30);
            for (int i = 0; i < count; i++) {
                int first = random.nextInt(0, 20);
                buffers.add(new BufferLifetime(random.nextInt(1, 5000), first, first + random.nextInt(0, 6)));
            }
            MemoryPlan plan = GreedyMemoryPlanner.plan(buffers);
            assertNoLiveOverlap(buffers, plan);
            assertTrue(plan.size() >= lowerBound(buffers), "below the lower bound: overlap missed");
            assertTrue(plan.size() <= sum(buffers));
        }
    }

    @Test
    void plan_disjointLifetimes_shareOffsetZero() {
        List<BufferLifetime> buffers = List.of(new BufferLifetime(100, 0, 1), new BufferLifetime(60, 2, 3));
        MemoryPlan plan = GreedyMemoryPlanner.plan(buffers);
        assertEquals(100, plan.size());
        assertEquals(0, plan.offset(1));
    }

    @Test
    void plan_noBuffers_isEmpty() {
        assertEquals(0, GreedyMemoryPlanner.plan(List.of()).size());
    }

    @Test
    void bufferLifetime_emptyOrNegative_throws() {
        assertThrows(IllegalArgumentException.class, () -> new BufferLifetime(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BufferLifetime(1, 3, 2));
        assertFalse(new BufferLifetime(1, 0, 1).overlapsInTime(new BufferLifetime(1, 2, 3)));
    }
}
