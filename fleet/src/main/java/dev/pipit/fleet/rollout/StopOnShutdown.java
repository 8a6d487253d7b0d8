package dev.pipit.fleet.rollout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While open, a JVM shutdown (Ctrl-C, SIGTERM) interrupts the thread that opened it and waits a little for
 * it to finish, so that a controller releases its lease and another can resume at once.
 */
final class StopOnShutdown implements AutoCloseable {

    private static final long WAIT_SECONDS = 5;

    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);

    StopOnShutdown() {
        Thread worker = Thread.currentThread();
        hook = new Thread(() -> {
            worker.interrupt();
            try {
                finished.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pipit-rollout-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook is running and waits for the countdown above
        }
    }
}
