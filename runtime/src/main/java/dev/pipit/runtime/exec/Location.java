package dev.pipit.runtime.exec;

/**
 * Where a tensor's [batch, ...] elements live during a run, starting at {@code offset}.
 *
 * @param storage which array
 * @param offset first element in that array
 */
record Location(Storage storage, int offset) {

    enum Storage {
        /** The caller's fp32 input. */
        INPUT,
        /** The caller's fp32 output. */
        OUTPUT,
        FLOAT_ARENA,
        INT8_ARENA
    }
}
