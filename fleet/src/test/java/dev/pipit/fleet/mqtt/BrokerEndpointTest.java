package dev.pipit.fleet.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BrokerEndpointTest {

    @ParameterizedTest
    @CsvSource({
        "tcp://127.0.0.1:1883, tcp://127.0.0.1:1883",
        "mqtt://broker.lan:1883, tcp://broker.lan:1883",
        "mqtts://broker.lan:8883, ssl://broker.lan:8883",
        "ssl://broker.lan:8883, ssl://broker.lan:8883",
    })
    void constructor_supportedUrl_normalizesScheme(String given, String expected) {
        assertEquals(expected, BrokerEndpoint.anonymous(given).url());
    }

    @ParameterizedTest
    @ValueSource(strings = {"broker.lan:1883", "http://broker.lan:80", "tcp://broker.lan", "tcp://:1883", "not a url", " "})
    void constructor_unsupportedUrl_throwsNamingIt(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BrokerEndpoint.anonymous(url));
        assertTrue(e.getMessage().contains("URL"), e.getMessage());
    }

    @Test
    void toString_withPassword_hidesIt() {
        String shown = new BrokerEndpoint("tcp://h:1883", "fleet", "s3cret").toString();
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains("fleet"), shown);
    }
}
