package dev.pipit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "512MiB, 536870912",
        "512 KiB, 524288",
        "1.5GiB, 1610612736",
        "16gib, 17179869184",
        "100MB, 100000000",
        "64kB, 64000",
        "4096, 4096",
        "4096B, 4096",
        "0.5KiB, 512",
    })
    void parse_validSize_returnsBytes(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "12XB", "-1MiB", "1.5", "0.3KiB", "1e3", "512 MiB extra", "99999999999TiB"})
    void parse_invalidSize_throwsWithTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(null));
    }
}
