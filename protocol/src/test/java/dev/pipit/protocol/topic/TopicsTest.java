package dev.pipit.protocol.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void chunk_validNames_buildsVersionedPath() {
        assertEquals("pipit/v1/models/fmnist/3/int8/chunks/12", Topics.chunk("fmnist", 3, "int8", 12));
    }

    @Test
    void deviceIdOf_statusTopic_returnsId() {
        assertEquals("pi-7", Topics.deviceIdOf(Topics.deviceStatus("pi-7")));
        assertNull(Topics.deviceIdOf("pipit/v1/models/x/manifest"));
    }

    @Test
    void segment_wildcardOrSeparator_rejected() {
        for (String bad : new String[] {"a/b", "+", "#", "", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> Topics.deviceStatus(bad), bad);
        }
    }
}
