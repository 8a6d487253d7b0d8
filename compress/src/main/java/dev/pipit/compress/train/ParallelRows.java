package dev.pipit.compress.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a row range into one contiguous part per thread; the caller computes the last part itself.
 * Rows are independent, so no part waits on another.
 */
final class ParallelRows implements AutoCloseable {

    /** Computes rows {@code [from, to)}. */
    interface Body {
        void rows(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;
    private final Future<?>[] pending;

    ParallelRows(int threads) {
        this.threads = threads;
        this.pending = new Future<?>[threads];
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "pipit-train");
            t.setDaemon(true);
            return t;
        });
    }

    void run(int rows, Body body) {
        int parts = Math.min(threads, rows);
        if (parts <= 1) {
            body.rows(0, rows);
            return;
        }
        for (int p = 0; p < parts - 1; p++) {
            int from = rows * p / parts;
            int to = rows * (p + 1) / parts;
            pending[p] = pool.submit(() -> body.rows(from, to));
        }
        body.rows(rows * (parts - 1) / parts, rows);
        for (int p = 0; p < parts - 1; p++) {
            try {
                pending[p].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("training interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("training worker failed: " + e.getCause(), e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
