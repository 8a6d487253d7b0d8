package dev.pipit.runtime.kernel;

/**
 * The packed int8 weight layout of {@link DenseInt8Matrix}, built for kernels that vectorise across
 * output rows: rows in blocks of {@link #BLOCK_ROWS}, columns in quads of four; for each block and
 * quad, 64 bytes hold row {@code i}'s four values at bytes {@code 4i .. 4i + 3}. An int lane of any vector
 * up to 512 bits loaded from there holds one row's quad, so one weight load feeds every sample of a tile
 * and the accumulators' lanes are output rows: no horizontal reduction. Padding rows and columns are 0.
 */
final class Int8Packing {

    static final int BLOCK_ROWS = 16;
    static final int QUAD_BYTES = 4 * BLOCK_ROWS;

    private Int8Packing() {
    }

    static int quads(int cols) {
        return (cols + 3) / 4;
    }

    /** Offset of row {@code r}'s first quad; the quad {@code q} lies {@code q · QUAD_BYTES} further. */
    static int rowOffset(int r, int quads) {
        return (r / BLOCK_ROWS * quads * BLOCK_ROWS + r % BLOCK_ROWS) * 4;
    }

    static int index(int r, int k, int quads) {
        return rowOffset(r, quads) + k / 4 * QUAD_BYTES + k % 4;
    }

    /** {@code w} row-major {@code [rows, cols]} in the packed layout. */
    static byte[] pack(byte[] w, int rows, int cols) {
        int quads = quads(cols);
        byte[] packed = new byte[(rows + BLOCK_ROWS - 1) / BLOCK_ROWS * BLOCK_ROWS * quads * 4];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                packed[index(r, k, quads)] = w[r * cols + k];
            }
        }
        return packed;
    }

    /**
     * Activations {@code x[o + k + j]} and {@code x[o + k + j + 2]} of one quad as the low and high 16 bits of
     * an int ({@code j} 0 for the even pair, 1 for the odd), 0 past {@code cols}: broadcast and reinterpreted
     * as shorts, it lines up with the packed weights' even or odd bytes.
     */
    static int pair(byte[] x, int o, int k, int cols, int j) {
        int lo = k + j < cols ? x[o + j] : 0;
        int hi = k + j + 2 < cols ? x[o + j + 2] : 0;
        return lo & 0xffff | hi << 16;
    }
}
