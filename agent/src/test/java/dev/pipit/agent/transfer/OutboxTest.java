package dev.pipit.agent.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OutboxTest {

    private static Outbox.Entry entry(String topic) {
        return new Outbox.Entry(topic, new byte[] {1}, "application/x-protobuf; proto=pipit.v1.DeviceStatus", 1, true);
    }

    @Test
    void add_full_dropsTheOldestAndCountsIt() {
        Outbox box = new Outbox(2);
        Outbox.Entry a = entry("a");
        Outbox.Entry b = entry("b");
        Outbox.Entry c = entry("c");

        assertFalse(box.add(a));
        assertFalse(box.add(b));
        assertTrue(box.add(c));

        assertEquals(1, box.dropped());
        assertEquals(2, box.size());
        assertSame(b, box.peek());
        assertFalse(box.contains(a));
    }

    @Test
    void remove_onlyTheOldest_keepsOrder() {
        Outbox box = new Outbox(3);
        Outbox.Entry a = entry("a");
        Outbox.Entry b = entry("b");
        box.add(a);
        box.add(b);

        box.remove(b); // not the oldest: a newer report must not overtake an older one
        box.remove(a);

        assertSame(b, box.peek());
        assertEquals(0, box.dropped());
    }

    @Test
    void new_zeroCapacity_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Outbox(0));
    }
}
