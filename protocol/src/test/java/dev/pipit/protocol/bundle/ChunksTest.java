package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChunksTest {

    @Test
    void count_partialLastChunk_roundsUp() {
        assertEquals(3, Chunks.count(2 * 1024 + 1, 1024));
        assertEquals(2, Chunks.count(2 * 1024, 1024));
    }

    @Test
    void size_lastChunk_isRemainder() {
        assertEquals(1, Chunks.size(2049, 1024, 2));
        assertEquals(1024, Chunks.size(2049, 1024, 0));
    }

    @Test
    void size_indexBeyondPayload_throws() {
        assertThrows(IllegalArgumentException.class, () -> Chunks.size(2048, 1024, 2));
        assertThrows(IllegalArgumentException.class, () -> Chunks.size(2048, 1024, -1));
    }
}
