package dev.pipit.runtime.kernel;

/**
 * Sparse int8 weights as a bitmap plus packed non-zeros: one bit per weight (bit {@code k % 8} of byte
 * {@code k / 8} of the row, every row starting on a byte boundary) says whether it is stored, and the
 * stored values follow in row-major order. At 80 % zeros this is ⅛ + ⅕ of a byte per weight, about a
 * third of dense int8, where CSR's 16-bit column indices need 0.6. Held as is, plus one int row start per
 * row. {@link #multiply} walks the bitmap a byte at a time and multiplies only the stored values, so its
 * time scales with the non-zeros (plus K/8 byte tests per row) — except for several samples at once on
 * a matrix more than an eighth full, where a scalar multiply per stored weight and sample loses to the
 * vector GEMM: there it decodes {@value #BLOCK} rows at a time into caller-owned scratch, as
 * {@link PalettizedInt8Matrix} does, and the decode is shared by every sample of the call.
 */
public final class BitmapInt8Matrix implements Int8Matrix {

    private static final int BLOCK = 4; // rows decoded per GEMM: the kernels' register block

    private final int rows;
    private final int cols;
    private final int rowBytes;
    private final byte[] mask;
    private final byte[] values;
    private final int[] rowStart; // rows + 1 entries
    private final int[] rowSums;
    private final boolean decodeForBatches;

    /**
     * @param mask {@code rows × ⌈cols / 8⌉} bytes; bits past {@code cols} in a row's last byte are 0
     * @param values the stored weights in row-major order, in [-127, 127], one per set bit; an all-zero
     *     matrix holds one padding 0 (a tensor cannot be empty)
     */
    public BitmapInt8Matrix(int rows, int cols, byte[] mask, byte[] values) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("bitmap matrix needs positive rows and cols, has " + rows + " × " + cols);
        }
        this.rowBytes = (cols + 7) / 8;
        if (mask.length != (long) rows * rowBytes) {
            throw new IllegalArgumentException("bitmap mask must be rows × " + rowBytes + " = " + (long) rows * rowBytes
                    + " bytes, is " + mask.length);
        }
        int tail = cols % 8 == 0 ? 0 : 0xFF << (cols % 8) & 0xFF;
        this.rowStart = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            int bits = 0;
            for (int b = r * rowBytes; b < (r + 1) * rowBytes; b++) {
                bits += Integer.bitCount(mask[b] & 0xFF);
            }
            if ((mask[(r + 1) * rowBytes - 1] & tail) != 0) {
                throw new IllegalArgumentException("bitmap row " + r + " marks columns at or past " + cols);
            }
            rowStart[r + 1] = rowStart[r] + bits;
        }
        int stored = rowStart[rows];
        if (values.length != Math.max(stored, 1) || (stored == 0 && values[0] != 0)) {
            throw new IllegalArgumentException("bitmap marks " + stored + " weights but holds " + values.length + " values"
                    + (stored == 0 ? " (an empty bitmap holds one padding 0)" : ""));
        }
        this.rows = rows;
        this.cols = cols;
        this.mask = mask.clone();
        this.values = values.clone();
        this.decodeForBatches = stored * 8L > (long) rows * cols;
        this.rowSums = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int i = rowStart[r]; i < rowStart[r + 1]; i++) {
                if (values[i] == Byte.MIN_VALUE) {
                    throw new IllegalArgumentException("bitmap value -128 at entry " + i + "; weights must be in [-127, 127]");
                }
                rowSums[r] += values[i];
            }
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** Stored (marked) weights. */
    public int nonZeros() {
        return rowStart[rows];
    }

    /** Mask, values and row starts (4 bytes each). */
    @Override
    public long bytes() {
        return mask.length + (long) values.length + 4L * rowStart.length;
    }

    @Override
    public int rowSum(int r) {
        return rowSums[r];
    }

    @Override
    public int scratchBytes() {
        return decodeForBatches ? BLOCK * cols : 0;
    }

    @Override
    public void multiply(VectorKernels kernels, int rowFrom, int rowTo, byte[] x, int xOff, int xStride, int samples,
                         int[] out, int outOff, int outStride, byte[] scratch, int scratchOff) {
        if (samples > 1 && decodeForBatches) {
            for (int r = rowFrom; r < rowTo; r += BLOCK) {
                int n = Math.min(BLOCK, rowTo - r);
                for (int i = 0; i < n; i++) {
                    decodeRow(r + i, scratch, scratchOff + i * cols);
                }
                kernels.gemmInt8(scratch, scratchOff, cols, 0, n, x, xOff, xStride, samples, out, outOff + r, outStride);
            }
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            if (samples == 1) {
                out[outOff + r] = dot(r, x, xOff);
            } else {
                accumulate(r, x, xOff, xStride, samples, out, outOff, outStride);
            }
        }
    }

    private void decodeRow(int r, byte[] dst, int off) {
        java.util.Arrays.fill(dst, off, off + cols, (byte) 0);
        int v = rowStart[r];
        for (int b = 0, m0 = r * rowBytes; b < rowBytes; b++) {
            int bits = mask[m0 + b] & 0xFF;
            while (bits != 0) {
                dst[off + (b << 3) + Integer.numberOfTrailingZeros(bits)] = values[v++];
                bits &= bits - 1;
            }
        }
    }

    private int dot(int r, byte[] x, int xOff) {
        int v = rowStart[r];
        int sum = 0;
        for (int b = 0, m0 = r * rowBytes; b < rowBytes; b++) {
            int bits = mask[m0 + b] & 0xFF;
            int base = xOff + (b << 3);
            while (bits != 0) {
                sum += values[v++] * x[base + Integer.numberOfTrailingZeros(bits)];
                bits &= bits - 1;
            }
        }
        return sum;
    }

    /** One walk of the row's bitmap serves every sample: each stored weight meets all samples' inputs. */
    private void accumulate(int r, byte[] x, int xOff, int xStride, int samples, int[] out, int outOff, int outStride) {
        for (int s = 0; s < samples; s++) {
            out[outOff + s * outStride + r] = 0;
        }
        int v = rowStart[r];
        for (int b = 0, m0 = r * rowBytes; b < rowBytes; b++) {
            int bits = mask[m0 + b] & 0xFF;
            while (bits != 0) {
                int w = values[v++];
                int k = xOff + (b << 3) + Integer.numberOfTrailingZeros(bits);
                for (int s = 0, o = outOff + r; s < samples; s++, k += xStride, o += outStride) {
                    out[o] += w * x[k];
                }
                bits &= bits - 1;
            }
        }
    }
}
