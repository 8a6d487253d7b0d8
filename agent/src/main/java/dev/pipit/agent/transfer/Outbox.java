package dev.pipit.agent.transfer;

import java.util.ArrayDeque;

/**
 * Reports waiting to be published, in order: while the broker is unreachable, or while the broker's
 * Receive Maximum of unacknowledged QoS 1 messages is reached. Bounded: when full, the oldest report is
 * dropped and counted, so a device offline for days keeps its newest reports and says how many it lost.
 * Thread-safe.
 */
final class Outbox {

    /** One publication: the protobuf bytes and how to publish them. */
    record Entry(String topic, byte[] payload, String contentType, int qos, boolean retained) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long dropped;

    Outbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("offline buffer must hold at least one report, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Appends a report, dropping the oldest if full; returns whether one was dropped. */
    synchronized boolean add(Entry e) {
        boolean drop = queue.size() == capacity;
        if (drop) {
            queue.removeFirst();
            dropped++;
        }
        queue.addLast(e);
        return drop;
    }

    synchronized Entry peek() {
        return queue.peekFirst();
    }

    /** Removes {@code e} if it is still the oldest (it was handed to the client). */
    synchronized void remove(Entry e) {
        if (queue.peekFirst() == e) {
            queue.removeFirst();
        }
    }

    synchronized boolean contains(Entry e) {
        for (Entry x : queue) {
            if (x == e) {
                return true;
            }
        }
        return false;
    }

    synchronized int size() {
        return queue.size();
    }

    /** Reports dropped because the buffer was full, since the agent started. */
    synchronized long dropped() {
        return dropped;
    }
}
