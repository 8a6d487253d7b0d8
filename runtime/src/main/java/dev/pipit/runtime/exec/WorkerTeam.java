package dev.pipit.runtime.exec;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of daemon threads that splits a {@link RowStep}'s output channels with the calling
 * thread. Hand-off is a volatile generation counter plus park/unpark, so a run allocates nothing.
 * Channels are split in blocks of four to keep the kernels' four-row register blocks whole.
 */
final class WorkerTeam implements AutoCloseable {

    private static final int BLOCK = 4;
    private static final int SPINS = 1 << 10; // consecutive steps usually arrive within this, saving a park

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    // Published by the volatile write of generation, read after reading it.
    private RowStep step;
    private Frame frame;
    private int batch;
    private int rows;

    /** Starts {@code threads − 1} daemon workers; the caller is part 0 of the team. */
    WorkerTeam(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = new Thread(() -> work(part), "pipit-intra-op-" + part);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** Closes the team once {@code owner} is unreachable, in case nobody calls {@link #close}. */
    void closeWhenUnreachable(Object owner) {
        CleanerHolder.CLEANER.register(owner, this::close);
    }

    private static final class CleanerHolder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** Runs channels {@code [0, rows)} of {@code step}, split over the team and the caller. */
    void run(RowStep step, Frame frame, int batch, int rows) {
        if (closed) {
            throw new IllegalStateException("the interpreter is closed");
        }
        this.step = step;
        this.frame = frame;
        this.batch = batch;
        this.rows = rows;
        failure = null;
        caller = Thread.currentThread();
        pending.set(workers.length);
        generation = generation + 1; // only the caller writes it
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        try {
            runPart(0);
        } finally {
            for (int spin = 0; pending.get() > 0; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.step = null;
            this.frame = null;
        }
        Throwable f = failure;
        if (f instanceof RuntimeException e) {
            throw e;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void work(int part) {
        int seen = 0;
        while (true) {
            for (int spin = 0; generation == seen && !closed; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runPart(part);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    private void runPart(int part) {
        int parts = workers.length + 1;
        int blocks = (rows + BLOCK - 1) / BLOCK;
        int from = Math.min(rows, blocks * part / parts * BLOCK);
        int to = Math.min(rows, blocks * (part + 1) / parts * BLOCK);
        if (from < to) {
            step.run(frame, batch, from, to, part);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
