package dev.pipit.runtime.exec;

import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import dev.pipit.runtime.kernel.BitmapInt8Matrix;
import dev.pipit.runtime.kernel.CsrInt8Matrix;
import dev.pipit.runtime.kernel.DenseInt8Matrix;
import dev.pipit.runtime.kernel.Int8Matrix;
import dev.pipit.runtime.kernel.PalettizedInt8Matrix;
import java.util.Map;

/**
 * Turns the weight tensors of a validated int8 FULLY_CONNECTED or CONV_2D node (inputs 1…, in the
 * node's {@link WeightFormat}) into the {@link Int8Matrix} its kernel multiplies by, keeping compressed
 * forms compressed. Malformed contents throw IllegalArgumentException, reported against the node.
 */
final class WeightDecoding {

    private WeightDecoding() {
    }

    static Int8Matrix matrix(Node node, Map<String, Tensor> tensors, int rows, int cols) {
        WeightFormat format = WeightFormat.of(node);
        Tensor first = tensors.get(node.inputs().get(1));
        return switch (format) {
            case DENSE -> new DenseInt8Matrix(first.bytes(), rows, cols);
            case CSR -> {
                Tensor columns = tensors.get(node.inputs().get(2));
                yield new CsrInt8Matrix(rows, cols, first.ints(), columnIndices(columns), tensors.get(node.inputs().get(3)).bytes());
            }
            case BITMAP -> new BitmapInt8Matrix(rows, cols, first.bytes(), tensors.get(node.inputs().get(2)).bytes());
            case PALETTE4, PALETTE8 -> {
                Tensor codebook = tensors.get(node.inputs().get(2));
                int[] cs = codebook.shape();
                yield new PalettizedInt8Matrix(rows, cols, format == WeightFormat.PALETTE4 ? 4 : 8, first.bytes(),
                        codebook.bytes(), cs[cs.length - 1], cs.length == 2);
            }
        };
    }

    /** INT32 indices as they are; INT8 [nnz, 2] as unsigned 16-bit little-endian pairs. */
    private static int[] columnIndices(Tensor columns) {
        if (columns.type() != dev.pipit.runtime.graph.DataType.INT8) {
            return columns.ints();
        }
        byte[] packed = columns.bytes();
        int[] indices = new int[packed.length / 2];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (packed[2 * i] & 0xFF) | (packed[2 * i + 1] & 0xFF) << 8;
        }
        return indices;
    }
}
