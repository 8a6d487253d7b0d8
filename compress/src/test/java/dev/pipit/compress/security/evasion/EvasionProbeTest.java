package dev.pipit.compress.security.evasion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.evaluate.Evaluation;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.variant.CompressionContext;
import dev.pipit.compress.variant.FineTuneBudget;
import dev.pipit.compress.variant.Techniques;
import dev.pipit.runtime.graph.Graph;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvasionProbeTest {

    private static VariantBuild build(String id, Graph graph) {
        return new VariantBuild(id, id, graph, new Evaluation(0.9, 1, 1, 1, 1, 1, 1));
    }

    @Test
    void measure_fp32AndInt8_reportEveryFigureWithAttacksBelowClean() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SecurityContext context = new SecurityContext(ReferenceCnn.network(), TestData.train().slice(0, 100),
                TestData.test().slice(0, 100), 100, 42, 2, new PrintStream(log, true, StandardCharsets.UTF_8));
        EvasionProbe probe = EvasionProbe.prepare(context);
        Graph fp32 = ReferenceCnn.graph();
        Graph int8 = StaticQuantizer.quantize(fp32, TestData.floats(TestData.train(), 200), 200);
        for (VariantBuild v : List.of(build("fp32", fp32), build("int8", int8))) {
            Map<String, Double> f = probe.measure(v);
            assertEquals(List.of("cleanAccuracy", "fgsmAccuracy", "pgdAccuracy", "fgsmAccuracyEps005", "pgdAccuracyEps005",
                    "pgdWhiteBoxAccuracy"), List.copyOf(f.keySet()), v.id());
            assertTrue(f.get("cleanAccuracy") > 0.8, v.id() + " " + f);
            assertTrue(f.get("fgsmAccuracyEps005") < f.get("cleanAccuracy"), v.id() + " " + f);
            assertTrue(f.get("pgdAccuracy") <= f.get("pgdAccuracyEps005"), v.id() + " " + f);
            assertTrue(f.get("pgdWhiteBoxAccuracy") < f.get("cleanAccuracy") / 2, v.id() + " " + f);
            if (v.id().equals("fp32")) { // the same weights and seed: white-box on the variant is the parent's attack
                assertEquals(f.get("pgdAccuracy"), f.get("pgdWhiteBoxAccuracy"), 1e-9, f.toString());
            }
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("crafted on the fp32 parent"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void measure_graphThatCannotBeLowered_skipsOnlyTheWhiteBoxFigure() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SecurityContext context = new SecurityContext(ReferenceCnn.network(), TestData.train().slice(0, 100),
                TestData.test().slice(0, 100), 100, 42, 1, new PrintStream(log, true, StandardCharsets.UTF_8));
        Graph fp32 = ReferenceCnn.graph();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Graph dynamic = Techniques.byId("int8-dynamic").build(CompressionContext.of(fp32, context.members(),
                context.nonMembers(), 100, FineTuneBudget.minimal(), 42, 1, out)).graph();
        Map<String, Double> f = EvasionProbe.prepare(context).measure(build("int8-dynamic", dynamic));
        assertEquals(5, f.size(), f.toString());
        assertTrue(!f.containsKey("pgdWhiteBoxAccuracy") && f.containsKey("pgdAccuracy"), f.toString());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("no white-box attack on int8-dynamic"), log.toString(StandardCharsets.UTF_8));
    }
}
