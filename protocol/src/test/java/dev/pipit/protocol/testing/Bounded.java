package dev.pipit.protocol.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs parser calls on a daemon thread with a deadline, so a hang fails a test instead of stalling it. */
public final class Bounded {

    private static final ExecutorService THREAD = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bounded-fuzz");
        t.setDaemon(true);
        return t;
    });

    private Bounded() {
    }

    /**
     * The result, or the exception the call threw (unwrapped).
     *
     * @throws AssertionError if the call does not finish within {@code limit}
     */
    public static Object within(Duration limit, Callable<?> call) {
        Future<?> f = THREAD.submit(call);
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("did not finish within " + limit + " (a hang)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
