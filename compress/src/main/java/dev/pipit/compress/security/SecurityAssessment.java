package dev.pipit.compress.security;

import dev.pipit.compress.bundle.VariantBuild;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs every security probe against every variant ({@code pipit compress --security}). */
public final class SecurityAssessment {

    private SecurityAssessment() {
    }

    /** The variants with their security figures, in the same order. */
    public static List<VariantBuild> assess(SecurityContext context, List<VariantBuild> variants) {
        List<SecurityProbe> probes = SecurityProbes.prepare(context);
        List<VariantBuild> out = new ArrayList<>();
        for (VariantBuild v : variants) {
            long start = System.nanoTime();
            Map<String, Double> figures = new LinkedHashMap<>();
            for (SecurityProbe p : probes) {
                figures.putAll(p.measure(v));
            }
            context.log().printf(Locale.ROOT, "security %s: %s (%.0f s)%n", v.id(), figures, (System.nanoTime() - start) / 1e9);
            out.add(v.withSecurity(figures));
        }
        return out;
    }
}
