package dev.pipit.runtime.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds the constant tensors of the compressed weight formats ({@link WeightFormat}, layouts in
 * {@link OpType}) from dense int8 weights {@code [out, …]}: node inputs in order, to follow the node's
 * first input, with the node attribute {@code "weight_format"} set to the format's
 * {@link WeightFormat#attribute()}. The weight quantization moves to the first tensor.
 */
public final class CompressedWeights {

    private CompressedWeights() {
    }

    /**
     * CSR: {@code name/row_ends} INT32 [out], {@code name/column_indices} (INT8 [nnz, 2] little-endian
     * uint16 when a row holds at most 65,536 values, else INT32 [nnz]), {@code name/values} INT8 [nnz].
     * An all-zero matrix keeps one explicit zero (a tensor cannot be empty).
     */
    public static List<Tensor> csr(Tensor dense) {
        byte[] w = int8(dense);
        int rows = dense.shape()[0];
        int cols = w.length / rows;
        int[] ends = new int[rows];
        List<Integer> columns = new ArrayList<>();
        ByteBuffer values = ByteBuffer.allocate(w.length);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                if (w[r * cols + k] != 0) {
                    columns.add(k);
                    values.put(w[r * cols + k]);
                }
            }
            ends[r] = columns.size();
        }
        if (columns.isEmpty()) {
            columns.add(0);
            values.put((byte) 0);
            java.util.Arrays.fill(ends, 1);
        }
        int nnz = columns.size();
        Tensor columnTensor;
        if (cols <= 1 << 16) {
            ByteBuffer packed = ByteBuffer.allocate(2 * nnz).order(ByteOrder.LITTLE_ENDIAN);
            columns.forEach(c -> packed.putShort((short) (int) c));
            columnTensor = Tensor.constant(dense.name() + "/column_indices", packed.array(), null, nnz, 2);
        } else {
            columnTensor = Tensor.constant(dense.name() + "/column_indices",
                    columns.stream().mapToInt(Integer::intValue).toArray(), null, nnz);
        }
        byte[] v = new byte[nnz];
        values.flip().get(v);
        return List.of(Tensor.constant(dense.name() + "/row_ends", ends, dense.quantization(), rows),
                columnTensor, Tensor.constant(dense.name() + "/values", v, null, nnz));
    }

    /**
     * Bitmap: {@code name/mask} INT8 [out, ⌈K / 8⌉] (bit k % 8 of byte k / 8 set where weight k is
     * non-zero) and {@code name/values} INT8 [nnz], the non-zeros row-major; an all-zero matrix keeps one
     * padding zero value.
     */
    public static List<Tensor> bitmap(Tensor dense) {
        byte[] w = int8(dense);
        int rows = dense.shape()[0];
        int cols = w.length / rows;
        int rowBytes = (cols + 7) / 8;
        byte[] mask = new byte[rows * rowBytes];
        ByteBuffer values = ByteBuffer.allocate(Math.max(w.length, 1));
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                if (w[r * cols + k] != 0) {
                    mask[r * rowBytes + k / 8] |= (byte) (1 << (k % 8));
                    values.put(w[r * cols + k]);
                }
            }
        }
        byte[] v = new byte[Math.max(values.position(), 1)];
        values.flip().get(v, 0, values.limit());
        return List.of(Tensor.constant(dense.name() + "/mask", mask, dense.quantization(), rows, rowBytes),
                Tensor.constant(dense.name() + "/values", v, null, v.length));
    }

    /**
     * Palettized: {@code name/indices} INT8 [out, rowBytes] and {@code name/codebook} INT8 [entries] or
     * [out, entries] ({@code perChannel}); the codebook lists the distinct weight values in ascending
     * order (per-channel books padded with zeros to a common length).
     *
     * @param bits 4 or 8
     * @throws IllegalArgumentException when the weights (of a channel) take more than {@code 2^bits} values
     */
    public static List<Tensor> palette(Tensor dense, int bits, boolean perChannel) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("palette indices are 4 or 8 bits, not " + bits);
        }
        byte[] w = int8(dense);
        int rows = dense.shape()[0];
        int cols = w.length / rows;
        List<List<Byte>> books = new ArrayList<>();
        for (int r = 0; r < (perChannel ? rows : 1); r++) {
            TreeSet<Byte> distinct = new TreeSet<>();
            for (int k = perChannel ? r * cols : 0; k < (perChannel ? (r + 1) * cols : w.length); k++) {
                distinct.add(w[k]);
            }
            if (distinct.size() > 1 << bits) {
                throw new IllegalArgumentException("weights " + dense.name() + (perChannel ? " channel " + r : "")
                        + " take " + distinct.size() + " values, more than a " + bits + "-bit palette holds");
            }
            books.add(new ArrayList<>(distinct));
        }
        int entries = books.stream().mapToInt(List::size).max().orElseThrow();
        byte[] codebook = new byte[books.size() * entries];
        for (int b = 0; b < books.size(); b++) {
            for (int e = 0; e < books.get(b).size(); e++) {
                codebook[b * entries + e] = books.get(b).get(e);
            }
        }
        int rowBytes = bits == 8 ? cols : (cols + 1) / 2;
        byte[] indices = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            List<Byte> book = books.get(perChannel ? r : 0);
            for (int k = 0; k < cols; k++) {
                int index = book.indexOf(w[r * cols + k]);
                if (bits == 8) {
                    indices[r * rowBytes + k] = (byte) index;
                } else {
                    indices[r * rowBytes + k / 2] |= (byte) (index << (k % 2 * 4));
                }
            }
        }
        Tensor codebookTensor = perChannel
                ? Tensor.constant(dense.name() + "/codebook", codebook, null, rows, entries)
                : Tensor.constant(dense.name() + "/codebook", codebook, null, entries);
        return List.of(Tensor.constant(dense.name() + "/indices", indices, dense.quantization(), rows, rowBytes), codebookTensor);
    }

    private static byte[] int8(Tensor dense) {
        if (!dense.isConstant() || dense.type() != DataType.INT8 || dense.shape().length < 2) {
            throw new IllegalArgumentException("tensor " + dense.name() + " is not an int8 constant [out, …]");
        }
        return dense.bytes();
    }
}
