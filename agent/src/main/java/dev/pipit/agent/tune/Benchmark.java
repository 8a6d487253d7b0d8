package dev.pipit.agent.tune;

import dev.pipit.agent.load.LoadedModel;
import dev.pipit.agent.load.ModelLoader;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.protocol.v1.VariantMeasurement;
import dev.pipit.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures one stored variant on this device, as it would run: loaded with the same checks as an
 * activation (its golden vectors included), the heap it retains after a full collection, then the
 * latency of batch-1 runs on the manifest's golden inputs after a warm-up, single-threaded and with
 * every intra-op thread the profile allows; the faster configuration is reported.
 */
public final class Benchmark {

    /** At most this long per configuration, however many iterations were asked for. */
    private static final long MAX_NANOS_PER_CONFIGURATION = 2_000_000_000L;
    /** Warm-up: at least this many runs and this long, so the JIT has compiled the kernels (C1 or C2). */
    private static final int MIN_WARMUP_RUNS = 500;
    private static final long MIN_WARMUP_NANOS = 300_000_000L;
    private static final int WARMUP_WINDOW = 64;

    private Benchmark() {
    }

    /**
     * @param options batch capacity and the most intra-op threads to try
     * @param budgetBytes the profile's model memory budget (a variant over it is refused, as in an activation)
     * @param latencyBudgetMicros what a batch-1 p50 must meet
     */
    public static VariantMeasurement measure(Manifest m, Variant v, Path graph, RuntimeOptions options, long budgetBytes,
                                             int iterations, long latencyBudgetMicros) {
        VariantMeasurement.Builder r = VariantMeasurement.newBuilder().setVariant(v.getId()).setAccuracy(v.getAccuracy());
        try {
            long before = heapUsedAfterGc();
            LoadedModel single = ModelLoader.load(m, v, graph, "", new RuntimeOptions(options.maxBatch(), 1), budgetBytes,
                    System.currentTimeMillis());
            long retained = Math.max(0, heapUsedAfterGc() - before);
            long[] best;
            int threads = 1;
            try (single) {
                r.setWeightBytes(single.weightBytes()).setArenaBytes(single.arenaBytes()).setMaxBatch(single.maxBatch())
                        .setRetainedHeapBytes(retained)
                        .setPredictedBytes(v.getWeightBytes() + v.getPlannedPeakBytes() * single.maxBatch());
                best = time(single, m.getGolden(), iterations);
            }
            if (options.threads() > 1) {
                try (LoadedModel multi = ModelLoader.load(m, v, graph, "", options, budgetBytes, System.currentTimeMillis())) {
                    long[] t = time(multi, m.getGolden(), iterations);
                    if (percentile(t, 50) < percentile(best, 50)) {
                        best = t;
                        threads = options.threads();
                    }
                }
            }
            long p50 = percentile(best, 50);
            return r.setIterations(best.length).setP50Micros(p50).setP90Micros(percentile(best, 90)).setThreads(threads)
                    .setMeetsLatency(p50 <= latencyBudgetMicros).build();
        } catch (BundleException | IOException | RuntimeException e) {
            return r.setError(e.getMessage() == null ? e.toString() : e.getMessage()).build();
        }
    }

    /**
     * Batch-1 latencies in microseconds (rounded up: a sub-microsecond run is 1, never 0), sorted, after a warm-up of {@value #MIN_WARMUP_RUNS} runs and 0.3 s,
     * then of windows of {@value #WARMUP_WINDOW} runs until one is no longer 10 % faster than the best (within the
     * configuration's time cap).
     */
    static long[] time(LoadedModel model, GoldenInputs golden, int iterations) {
        int n = model.inputSize();
        int samples = Math.max(1, golden.getCount());
        float[][] inputs = new float[samples][n];
        for (int s = 0; s < samples && golden.getValuesCount() >= (s + 1) * n; s++) {
            for (int i = 0; i < n; i++) {
                inputs[s][i] = golden.getValues(s * n + i);
            }
        }
        long start = System.nanoTime();
        long deadline = start + MAX_NANOS_PER_CONFIGURATION;
        long warm = start + MIN_WARMUP_NANOS;
        long warmupCap = start + MAX_NANOS_PER_CONFIGURATION / 2; // half the time is for measuring
        for (int i = 0; (i < MIN_WARMUP_RUNS || System.nanoTime() < warm) && System.nanoTime() < warmupCap; i++) {
            model.run(inputs[i % samples], 1);
        }
        // Then until the JIT has settled: interpreted or C1-compiled Vector API code is many times slower than
        // C2's, and on a busy CPU C2 can take seconds. Settled = a window no longer 10 % faster than the best.
        long best = Long.MAX_VALUE;
        long[] window = new long[WARMUP_WINDOW];
        while (System.nanoTime() < warmupCap) {
            for (int i = 0; i < window.length; i++) {
                long t0 = System.nanoTime();
                model.run(inputs[i % samples], 1);
                window[i] = System.nanoTime() - t0;
            }
            Arrays.sort(window);
            long median = window[window.length / 2];
            if (median > best * 0.9) {
                break;
            }
            best = Math.min(best, median);
        }
        long[] micros = new long[iterations];
        int done = 0;
        for (; done < iterations && (done == 0 || System.nanoTime() < deadline); done++) {
            long t0 = System.nanoTime();
            model.run(inputs[done % samples], 1);
            micros[done] = (System.nanoTime() - t0 + 999) / 1000;
        }
        long[] t = Arrays.copyOf(micros, done);
        Arrays.sort(t);
        return t;
    }

    /** The {@code p}th percentile of sorted values (nearest rank). */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static long heapUsedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
