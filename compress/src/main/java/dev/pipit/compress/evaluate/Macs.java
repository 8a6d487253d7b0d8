package dev.pipit.compress.evaluate;

import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import java.util.Map;

/**
 * Multiply-accumulates one sample costs in the fully-connected, convolution and matrix-product
 * layers: one per weight and output position, counting only the stored non-zeros of sparse (CSR)
 * weights, which is the work their kernel does.
 */
public final class Macs {

    private Macs() {
    }

    public static long perSample(Graph graph) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        long macs = 0;
        for (Node n : graph.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.FULLY_CONNECTED_DYNAMIC || n.op() == OpType.MATMUL
                    || n.op() == OpType.CONV_2D) {
                macs += weights(n, tensors) * positions(n, tensors);
            }
        }
        return macs;
    }

    /** Weight elements the node multiplies (the stored non-zeros for CSR and bitmap). */
    private static long weights(Node n, Map<String, Tensor> tensors) {
        WeightFormat format = n.op() == OpType.MATMUL ? WeightFormat.DENSE : WeightFormat.of(n);
        return switch (format) {
            case DENSE -> tensors.get(n.inputs().get(1)).elementCount();
            case CSR -> tensors.get(n.inputs().get(3)).elementCount();
            case BITMAP -> {
                long marked = 0;
                for (byte b : tensors.get(n.inputs().get(1)).bytes()) {
                    marked += Integer.bitCount(b & 0xFF);
                }
                yield marked;
            }
            case PALETTE4, PALETTE8 -> {
                int[] out = tensors.get(n.outputs().get(0)).shape();
                int[] in = tensors.get(n.inputs().get(0)).shape();
                long k = in[1];
                if (n.op() == OpType.CONV_2D) {
                    String[] kernel = n.attributes().get("kernel_shape").split(",");
                    k = in[1] / Long.parseLong(n.attributes().getOrDefault("group", "1"))
                            * Long.parseLong(kernel[0].trim()) * Long.parseLong(kernel[1].trim());
                }
                yield out[1] * k;
            }
        };
    }

    /** Output positions each weight is used at: 1 for a fully-connected layer, oh·ow for a convolution, M for a batched product. */
    private static long positions(Node n, Map<String, Tensor> tensors) {
        int[] out = tensors.get(n.outputs().get(0)).shape();
        if (n.op() != OpType.CONV_2D) {
            return out.length == 3 ? out[1] : 1; // a MATMUL of [n, M, K] reuses B for M rows
        }
        long p = 1;
        for (int i = 2; i < out.length; i++) {
            p *= out[i];
        }
        return p;
    }
}
