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

    /** The {@code n < 4} activations {@code x[o ..]} of a last quad as a little-endian int, zero-padded. */
    static int quad(byte[] x, int o, int n) {
        int quad = 0;
        for (int j = 0; j < n; j++) {
            quad |= (x[o + j] & 0xff) << 8 * j;
        }
        return quad;
    }
}
