package dev.pipit.compress.quantize;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Executes an fp32 graph in plain Java and shows every computed tensor to an observer: calibration
 * needs the intermediate activations, which the runtime's interpreter (rightly) does not expose.
 * Straightforward loops, not fast; it is the reference the quantizer measures ranges with.
 */
public final class FloatReference {

    /** Sees each computed tensor: {@code batch} rows, row-major. */
    public interface Observer {
        void observe(String tensor, float[] values);
    }

    private FloatReference() {
    }

    /** Runs {@code batch} samples and returns the graph's (first) output. */
    public static float[] run(Graph graph, float[] input, int batch, Observer observer) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        Map<String, float[]> values = new HashMap<>();
        String in = graph.inputs().get(0);
        values.put(in, input);
        observer.observe(in, input);
        for (Node n : graph.nodes()) {
            float[] x = values.get(n.inputs().get(0));
            if (x == null) {
                throw new IllegalArgumentException("node " + n.name() + " reads " + n.inputs().get(0)
                        + " before it is computed");
            }
            float[] y = switch (n.op()) {
                case FLATTEN -> x;
                case RELU -> relu(x.clone());
                case SOFTMAX -> softmax(x.clone(), cols(tensors.get(n.outputs().get(0))));
                case FULLY_CONNECTED -> fullyConnected(n, x, batch, tensors);
                default -> throw new IllegalArgumentException("node " + n.name() + ": " + n.op()
                        + " is not an fp32 operator the reference executes");
            };
            values.put(n.outputs().get(0), y);
            observer.observe(n.outputs().get(0), y);
        }
        return values.get(graph.outputs().get(0));
    }

    private static float[] fullyConnected(Node n, float[] x, int batch, Map<String, Tensor> tensors) {
        Tensor weight = tensors.get(n.inputs().get(1));
        if (weight.type() != DataType.FLOAT32) {
            throw new IllegalArgumentException("node " + n.name() + " is not fp32");
        }
        float[] w = weight.floats();
        float[] b = n.inputs().size() > 2 ? tensors.get(n.inputs().get(2)).floats() : null;
        int out = weight.shape()[0];
        int in = weight.shape()[1];
        float[] y = new float[batch * out];
        for (int s = 0; s < batch; s++) {
            for (int o = 0; o < out; o++) {
                float acc = b == null ? 0f : b[o];
                for (int i = 0; i < in; i++) {
                    acc += x[s * in + i] * w[o * in + i];
                }
                y[s * out + o] = acc;
            }
        }
        return n.activation() == Activation.RELU ? relu(y) : y;
    }

    private static float[] relu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(x[i], 0f);
        }
        return x;
    }

    private static float[] softmax(float[] x, int cols) {
        for (int r = 0; r < x.length / cols; r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[r * cols + c]);
            }
            float sum = 0;
            for (int c = 0; c < cols; c++) {
                x[r * cols + c] = (float) Math.exp(x[r * cols + c] - max);
                sum += x[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                x[r * cols + c] /= sum;
            }
        }
        return x;
    }

    private static int cols(Tensor t) {
        int[] shape = t.shape();
        return shape[shape.length - 1];
    }
}
