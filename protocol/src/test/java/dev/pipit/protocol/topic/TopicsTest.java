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
    void chunks_variant_filtersEveryChunkOfThatVersion() {
        assertEquals("pipit/v1/models/fmnist/3/int8/chunks/+", Topics.chunks("fmnist", 3, "int8"));
    }

    @Test
    void deviceIdOf_statusTopic_returnsId() {
        assertEquals("pi-7", Topics.deviceIdOf(Topics.deviceStatus("pi-7")));
        assertNull(Topics.deviceIdOf("pipit/v1/models/x/manifest"));
    }

    @Test
    void manifestModelOf_fleetWideOrOwnDeviceTopic_returnsModel() {
        assertEquals("fmnist", Topics.manifestModelOf(Topics.manifest("fmnist"), "pi-7"));
        assertEquals("fmnist", Topics.manifestModelOf(Topics.deviceManifest("pi-7", "fmnist"), "pi-7"));
        assertEquals("pipit/v1/devices/pi-7/models/+/manifest", Topics.deviceManifests("pi-7"));
    }

    @Test
    void manifestModelOf_otherDeviceOrChunkTopic_returnsNull() {
        assertNull(Topics.manifestModelOf(Topics.deviceManifest("pi-8", "fmnist"), "pi-7"));
        assertNull(Topics.manifestModelOf(Topics.chunk("fmnist", 3, "int8", 0), "pi-7"));
        assertNull(Topics.manifestModelOf("pipit/v1/models/a/b/manifest", "pi-7"));
        assertNull(Topics.manifestModelOf("pipit/v1/models//manifest", "pi-7"));
    }

    @Test
    void rolloutModelOf_rolloutTopic_returnsModel() {
        assertEquals("fmnist", Topics.rolloutModelOf(Topics.rollout("fmnist")));
        assertNull(Topics.rolloutModelOf("pipit/v1/rollouts/"));
        assertNull(Topics.rolloutModelOf(Topics.manifest("fmnist")));
    }

    @Test
    void segment_wildcardOrSeparator_rejected() {
        for (String bad : new String[] {"a/b", "+", "#", "", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> Topics.deviceStatus(bad), bad);
        }
    }
}
