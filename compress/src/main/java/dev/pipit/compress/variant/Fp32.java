package dev.pipit.compress.variant;

import java.util.Map;

/** The parent itself. */
final class Fp32 implements Technique {

    @Override
    public String id() {
        return "fp32";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        return new VariantResult(context.parent(), "fp32 reference", Map.of(), Map.of());
    }
}
