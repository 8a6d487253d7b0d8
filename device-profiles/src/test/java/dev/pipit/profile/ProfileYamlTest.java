package dev.pipit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProfileYamlTest {

    @Test
    void parse_scalars_resolveAsTheCoreSchema() {
        Map<String, Object> m = ProfileYaml.parse("""
                ---
                a: 12
                b: -3000000000
                c: 0.5
                d: 1e3
                e: "12"
                f: 'it''s # not a comment'
                g: text with spaces   # a comment
                h: ~
                i: true
                j: 512MiB
                k: "tab\\there"
                """);

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 12);
        expected.put("b", -3_000_000_000L);
        expected.put("c", 0.5);
        expected.put("d", 1000.0);
        expected.put("e", "12");
        expected.put("f", "it's # not a comment");
        expected.put("g", "text with spaces");
        expected.put("h", null);
        expected.put("i", true);
        expected.put("j", "512MiB");
        expected.put("k", "tab\there");
        assertEquals(expected, m);
    }

    @Test
    void parse_flowAndBlockLists_giveTheSameList() {
        Map<String, Object> flow = ProfileYaml.parse("simd: [neon, 'asimddp']\r\n");
        Map<String, Object> block = ProfileYaml.parse("simd:\n  - neon\n  # between\n  - asimddp\nname: x\n");

        assertEquals(List.of("neon", "asimddp"), flow.get("simd"));
        assertEquals(flow.get("simd"), block.get("simd"));
        assertEquals("x", block.get("name"));
        assertEquals(List.of(), ProfileYaml.parse("simd: []").get("simd"));
    }

    @Test
    void parse_commentsOnly_isNull() {
        assertNull(ProfileYaml.parse("# nothing\n\n"));
    }

    @Test
    void parse_yamlProfilesDoNotUse_isRejectedNamingTheLine() {
        for (var c : List.of(
                List.of("a: 1\nnested:\n  b: 2\n", "not valid YAML at line 3: only the block list items of a key may be indented"),
                List.of("a: 1\na: 2\n", "not valid YAML at line 2: 'a' is set twice"),
                List.of("a: [x, [y]]\n", "not valid YAML at line 1: nested collections are not used in profile files"),
                List.of("a: [x\n", "not valid YAML at line 1: a list opened with '[' must close with ']' on the same line"),
                List.of("a: &anchor 1\n", "not valid YAML at line 1: '&' starts YAML that profile files do not use"),
                List.of("a: |\n", "not valid YAML at line 1: '|' starts YAML that profile files do not use"),
                List.of("a: \"open\n", "not valid YAML at line 1: unterminated quote"),
                List.of("a: b: c\n", "not valid YAML at line 1: nested mappings are not used in profile files"),
                List.of("just text\n", "not valid YAML at line 1: expected 'key: value'"),
                List.of("a: 1\n- x\n", "not valid YAML at line 2: a list item belongs below a key with no value"),
                List.of("- x\n", "a profile file must be a mapping of fields, not a list"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileYaml.parse(c.get(0)),
                    c.get(0));
            assertEquals(c.get(1), e.getMessage(), c.get(0));
        }
    }

    @Test
    void parse_everyBuiltInProfile_givesTheFieldsTheLoaderReads() {
        for (String name : DeviceProfiles.builtInNames()) {
            DeviceProfile p = DeviceProfiles.load(name);
            assertEquals(name, p.name());
        }
        assertEquals(Set.of("neon", "asimddp"), DeviceProfiles.load("rpi-5-8gb").simd());
    }
}
