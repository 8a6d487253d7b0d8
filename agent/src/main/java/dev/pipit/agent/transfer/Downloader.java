package dev.pipit.agent.transfer;

import dev.pipit.agent.select.SizeFormat;
import dev.pipit.protocol.bundle.BundleException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one {@link ChunkDownload} over MQTT: subscribes to a window of missing chunk topics, writes each
 * chunk that verifies, unsubscribes from it and asks for the next, and gives up on a chunk that fails
 * or on a download that stalls while connected (a broker outage is not a stall: the download resumes
 * when the connection is back). Chunk topics nobody asked for (left subscribed by a session that ended
 * in a crash) are unsubscribed when a message arrives on them. Runs on the agent's single scheduler
 * thread; not thread-safe.
 */
public final class Downloader {

    private static final System.Logger LOG = System.getLogger(Downloader.class.getName());

    /** How a download ends. */
    public interface Listener {
        /** Every chunk and the whole payload verified; the partial file is fsynced and closed. */
        void downloaded(ChunkDownload download);

        /**
         * The download was given up.
         *
         * @param retryable true for a stall (the partial file is kept, so a later attempt resumes), false for
         *     a payload that cannot be right (the partial file is deleted)
         */
        void failed(ChunkDownload download, String reason, boolean retryable);
    }

    private final Transport mqtt;
    private final ScheduledExecutorService scheduler;
    private final int window;
    private final Duration stallTimeout;
    private final Listener listener;
    private ChunkDownload current;
    private ScheduledFuture<?> stallCheck;
    private long lastProgressNanos;
    private long startedNanos;

    public Downloader(Transport mqtt, ScheduledExecutorService scheduler, int window, Duration stallTimeout,
                      Listener listener) {
        if (window < 1) {
            throw new IllegalArgumentException("chunk window must be positive, was " + window);
        }
        this.mqtt = mqtt;
        this.scheduler = scheduler;
        this.window = window;
        this.stallTimeout = stallTimeout;
        this.listener = listener;
    }

    /** The download in progress, or null. */
    public ChunkDownload current() {
        return current;
    }

    public void start(ChunkDownload download) {
        if (current != null) {
            throw new IllegalStateException("a download is already running: " + current);
        }
        current = download;
        startedNanos = lastProgressNanos = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "download of {0} started: {1} in {2} chunks, {3} already on disk", download,
                SizeFormat.bytes(download.variant().getPayloadBytes()), Integer.toString(download.chunkCount()),
                Integer.toString(download.resumedChunks()));
        if (download.complete()) {
            finish();
            return;
        }
        long period = Math.max(250, stallTimeout.toMillis() / 4);
        stallCheck = scheduler.scheduleWithFixedDelay(this::checkStall, period, period, TimeUnit.MILLISECONDS);
        requestMore();
    }

    /** Handles a message on a chunk topic; chunks of other downloads are ignored. */
    public void onChunk(ChunkTopic topic, byte[] payload) {
        if (current == null || !current.matches(topic) || !current.wanted(topic.index())) {
            // a subscription this run did not make (or a duplicate): never asked for again
            LOG.log(System.Logger.Level.DEBUG, "chunk {0} not wanted: unsubscribed", topic.topic());
            mqtt.unsubscribe(List.of(topic.topic()));
            return;
        }
        try {
            if (!current.accept(topic.index(), payload)) {
                return;
            }
        } catch (BundleException e) {
            end(e.getMessage(), false);
            return;
        } catch (IOException e) {
            end("cannot write chunk " + topic.index() + " of " + current + ": " + e.getMessage(), true);
            return;
        }
        lastProgressNanos = System.nanoTime();
        LOG.log(System.Logger.Level.DEBUG, "chunk {0} of {1} stored", Integer.toString(topic.index()), current);
        mqtt.unsubscribe(List.of(topic.topic()));
        if (current.complete()) {
            finish();
        } else {
            requestMore();
        }
    }

    /** After a reconnection: asks again for the outstanding chunks; the time offline is no stall. */
    public void resubscribe() {
        if (current != null) {
            lastProgressNanos = System.nanoTime();
            List<Integer> outstanding = current.outstanding();
            LOG.log(System.Logger.Level.DEBUG, "requesting chunks {0} of {1} again", outstanding, current);
            mqtt.subscribe(outstanding.stream().map(current::topic).toList());
        }
    }

    /** Stops the current download, keeping its partial file (a newer manifest replaced it, or shutdown). */
    public void cancel(String why) {
        if (current != null) {
            LOG.log(System.Logger.Level.INFO, "download of {0} stopped: {1}", current, why);
            ChunkDownload d = stop();
            try {
                d.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing {0} failed: {1}", d.partialFile(), e.getMessage());
            }
        }
    }

    private void requestMore() {
        List<Integer> more = current.requestMore(window);
        if (!more.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "requesting chunks {0} of {1}", more, current);
        }
        mqtt.subscribe(more.stream().map(current::topic).toList());
    }

    private void checkStall() {
        if (current == null) {
            return;
        }
        if (!mqtt.isConnected()) {
            lastProgressNanos = System.nanoTime(); // waiting for the broker is not a stall
            return;
        }
        long idle = System.nanoTime() - lastProgressNanos;
        if (idle > stallTimeout.toNanos()) {
            try {
                end("download of " + current + " stalled: no chunk for " + stallTimeout.toSeconds() + " s, "
                        + current.missingChunks() + " of " + current.chunkCount() + " chunks missing", true);
            } catch (RuntimeException e) {
                // a periodic task that throws is cancelled silently: log instead
                LOG.log(System.Logger.Level.ERROR, "ending a stalled download failed", e);
            }
        }
    }

    private void finish() {
        ChunkDownload d = stop();
        try {
            d.finish();
        } catch (BundleException e) {
            discard(d);
            listener.failed(d, e.getMessage(), false);
            return;
        } catch (IOException e) {
            discard(d);
            listener.failed(d, "cannot complete " + d.partialFile() + ": " + e.getMessage(), true);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "download of {0} done: {1} in {2} ms", d,
                SizeFormat.bytes(d.variant().getPayloadBytes()), Long.toString((System.nanoTime() - startedNanos) / 1_000_000));
        listener.downloaded(d);
    }

    private void end(String reason, boolean retryable) {
        ChunkDownload d = stop();
        if (retryable) {
            try {
                d.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing {0} failed: {1}", d.partialFile(), e.getMessage());
            }
        } else {
            discard(d);
        }
        listener.failed(d, reason, retryable);
    }

    /** Detaches the current download: no more timers, no more chunk subscriptions. */
    private ChunkDownload stop() {
        ChunkDownload d = current;
        current = null;
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
        mqtt.unsubscribe(d.outstanding().stream().map(d::topic).toList());
        return d;
    }

    private static void discard(ChunkDownload d) {
        try {
            d.discard();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", d.partialFile(), e.getMessage());
        }
    }
}
