package dev.pipit.runtime.graph;

/**
 * How the weights of an int8 FULLY_CONNECTED or CONV_2D node are stored: node attribute
 * {@code "weight_format"}, the weights being the node inputs after the first (see {@link OpType}).
 */
public enum WeightFormat {
    /** One tensor W. */
    DENSE("dense", 1),
    /** row_ends, column_indices, values. */
    CSR("csr", 3),
    /** mask (1 bit per weight), values. */
    BITMAP("bitmap", 2),
    /** indices (4-bit, two per byte), codebook. */
    PALETTE4("palette4", 2),
    /** indices (8-bit), codebook. */
    PALETTE8("palette8", 2);

    /** The node attribute naming the format. */
    public static final String ATTRIBUTE = "weight_format";

    private final String attribute;
    private final int tensors;

    WeightFormat(String attribute, int tensors) {
        this.attribute = attribute;
        this.tensors = tensors;
    }

    /** The attribute value, e.g. {@code "csr"}. */
    public String attribute() {
        return attribute;
    }

    /** How many input tensors hold the weights. */
    public int tensors() {
        return tensors;
    }

    /** The node's format ({@link #DENSE} when the attribute is absent). */
    public static WeightFormat of(Node node) {
        String value = node.attributes().get(ATTRIBUTE);
        if (value == null) {
            return DENSE;
        }
        for (WeightFormat f : values()) {
            if (f.attribute.equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException("node " + node.name() + " has unknown weight_format '" + value
                + "' (supported: dense, csr, bitmap, palette4, palette8)");
    }
}
