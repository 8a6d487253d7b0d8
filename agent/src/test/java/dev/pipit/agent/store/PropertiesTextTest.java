package dev.pipit.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PropertiesTextTest {

    @Test
    void format_awkwardKeysAndValues_readBackByPropertiesLoad() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("b.reason", " rolled back: v2 = bad # really\\ \t\r\nnext line");
        values.put("a key", "ünïcödé ✓");
        values.put("empty", "");
        values.put("c!", "!x");

        String text = PropertiesText.format("state\nof the agent", values);
        Properties p = new Properties();
        p.load(new StringReader(text));

        assertEquals(values, Map.copyOf(toMap(p)));
        assertTrue(text.startsWith("# state of the agent\na\\ key="), text);
        assertTrue(text.chars().allMatch(c -> c < 0x7f), "ASCII only, as Properties.store writes");
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
