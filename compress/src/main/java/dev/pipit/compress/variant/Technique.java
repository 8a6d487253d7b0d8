package dev.pipit.compress.variant;

/** One way of producing a variant from the parent model. */
public interface Technique {

    /** The variant id, as used on the command line, in topics and in the manifest. */
    String id();

    VariantResult build(CompressionContext context);
}
