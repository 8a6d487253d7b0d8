package dev.pipit.agent.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFileTest {

    @Test
    void parse_keysCommentsAndQuotes_readsValues() {
        Map<String, String> v = ConfigFile.parse(String.join("\n",
                "# pipit agent",
                "---",
                "broker: tcp://broker.local:1883   # the fleet broker",
                "id: 'pi-kitchen'",
                "",
                "profile: \"rpi-4b-2gb\"",
                "trust: keys/a.pub, keys/b.pub",
                "password-file: \"secret#1\""), "agent.yaml");

        assertEquals(Map.of("broker", "tcp://broker.local:1883", "id", "pi-kitchen", "profile", "rpi-4b-2gb",
                "trust", "keys/a.pub, keys/b.pub", "password-file", "secret#1"), v);
    }

    @Test
    void parse_unknownKey_namesLineAndKnownKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFile.parse("broker: tcp://x:1883\nbrokr: tcp://y:1883\n", "agent.yaml"));

        assertEquals(true, e.getMessage().startsWith("agent.yaml line 2: unknown key 'brokr'; the keys are broker, id,"),
                e.getMessage());
    }

    @Test
    void parse_duplicateKey_isAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFile.parse("id: a\nid: b\n", "agent.yaml"));

        assertEquals("agent.yaml line 2: 'id' is set twice", e.getMessage());
    }

    @Test
    void parse_nestedYaml_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConfigFile.parse("broker:\n  - tcp://x\n", "agent.yaml"));
    }

    @Test
    void parse_unterminatedQuote_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigFile.parse("id: 'pi\n", "agent.yaml"));

        assertEquals("agent.yaml line 1: unterminated quote in 'pi", e.getMessage());
    }
}
