package dev.pipit.compress.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityChartTest {

    private static Map<String, Object> row(String id, Map<String, Double> security) {
        return Map.of("id", id, "accuracy", 0.9, "weightBytesRam", 1000L, "security", security);
    }

    @Test
    void write_withMembershipAuc_addsItsPanel(@TempDir Path dir) throws Exception {
        Map<String, Double> evasion = Map.of("cleanAccuracy", 0.9, "fgsmAccuracy", 0.2, "pgdAccuracy", 0.05,
                "pgdWhiteBoxAccuracy", 0.01);
        SecurityChart.write("t", List.of(row("fp32", evasion), row("int8", Map.of("cleanAccuracy", 0.89))),
                dir.resolve("a.png"));
        SecurityChart.write("t", List.of(row("fp32", Map.of("cleanAccuracy", 0.9, "membershipAuc", 0.6)),
                row("int8", Map.of("membershipAuc", 0.55))), dir.resolve("b.png"));
        BufferedImage accuracyOnly = ImageIO.read(dir.resolve("a.png").toFile());
        BufferedImage withAuc = ImageIO.read(dir.resolve("b.png").toFile());
        assertEquals(900, accuracyOnly.getWidth());
        assertEquals(560, accuracyOnly.getHeight());
        assertEquals(720, withAuc.getHeight());
    }
}
