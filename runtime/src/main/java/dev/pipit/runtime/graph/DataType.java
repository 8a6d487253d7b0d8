package dev.pipit.runtime.graph;

/** Element types a tensor may hold. */
public enum DataType {
    FLOAT32(4),
    INT8(1),
    INT32(4);

    private final int bytes;

    DataType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
