package dev.pipit.agent.transfer.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CoapSettingsTest {

    private static final CoapSettings.Dtls PSK = new CoapSettings.Dtls.Psk("pi-1", "s3cret".getBytes(StandardCharsets.UTF_8));

    @Test
    void new_plainCoapWithoutAllowPlain_refusedWithTheWayOut() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoapSettings.of(URI.create("coap://fleet.local"), false, null));
        assertTrue(e.getMessage().contains("allow-plain-coap"), e.getMessage());
        assertEquals(5683, CoapSettings.of(URI.create("coap://fleet.local"), true, null).uri().getPort());
    }

    @Test
    void new_coapsWithoutCredentialsOrCoapWithThem_refused() {
        assertThrows(IllegalArgumentException.class, () -> CoapSettings.of(URI.create("coaps://fleet.local"), false, null));
        assertThrows(IllegalArgumentException.class, () -> CoapSettings.of(URI.create("coap://fleet.local"), true, PSK));
        CoapSettings s = CoapSettings.of(URI.create("coaps://fleet.local"), false, PSK);
        assertEquals(URI.create("coaps://fleet.local:5684"), s.uri());
        assertTrue(s.secure());
        assertFalse(s.toString().contains("s3cret"), s.toString());
    }

    @Test
    void new_blockSizeOutsideSixtyFourToTenTwentyFourOrNotAPowerOfTwo_refused() {
        CoapSettings s = CoapSettings.of(URI.create("coaps://h"), false, PSK);
        assertEquals(6, s.szx());
        assertEquals(2, s.withBlockSize(64).szx());
        for (int bad : new int[] {32, 2048, 1000}) {
            assertThrows(IllegalArgumentException.class, () -> s.withBlockSize(bad), "block size " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> CoapSettings.of(URI.create("coaps://h/pipit"), false, PSK));
        assertThrows(IllegalArgumentException.class, () -> CoapSettings.of(URI.create("http://h"), false, PSK));
    }
}
