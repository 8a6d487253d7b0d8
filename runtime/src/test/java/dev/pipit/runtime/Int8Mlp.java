package dev.pipit.runtime;

import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.kernel.NaiveInt8FullyConnected;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A random int8 MLP as the compressor would emit it (QUANTIZE, FULLY_CONNECTED with RELU on hidden
 * layers, DEQUANTIZE), and its naive reference evaluation.
 */
record Int8Mlp(Graph graph, int[] widths, List<Layer> layers, float inputScale, int inputZeroPoint) {

    record Layer(byte[] weights, float[] weightScales, int[] bias, float outputScale, int outputZeroPoint, boolean relu) {
    }

    static Int8Mlp random(long seed, int... widths) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Layer> layers = new ArrayList<>();
        float inputScale = 1f / 64;
        int inputZeroPoint = -5;
        tensors.add(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, widths[0]}, null));
        tensors.add(Tensor.activation("q0", DataType.INT8, new int[] {-1, widths[0]}, Quantization.perTensor(inputScale, inputZeroPoint)));
        nodes.add(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("q0")));
        float previousScale = inputScale;
        for (int l = 1; l < widths.length; l++) {
            int in = widths[l - 1], out = widths[l];
            byte[] w = new byte[out * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) random.nextInt(-127, 128);
            }
            float[] weightScales = new float[out];
            int[] bias = new int[out];
            float[] biasScales = new float[out];
            for (int c = 0; c < out; c++) {
                weightScales[c] = (float) random.nextDouble(0.002, 0.006);
                biasScales[c] = previousScale * weightScales[c];
                bias[c] = random.nextInt(-2000, 2000);
            }
            float outputScale = (float) (0.02 * Math.sqrt(in));
            int outputZeroPoint = random.nextInt(-20, 20);
            boolean relu = l < widths.length - 1;
            layers.add(new Layer(w, weightScales, bias, outputScale, outputZeroPoint, relu));
            tensors.add(Tensor.constant("w" + l, w, Quantization.perChannel(weightScales, 0), out, in));
            tensors.add(Tensor.constant("b" + l, bias, Quantization.perChannel(biasScales, 0), out));
            tensors.add(Tensor.activation("q" + l, DataType.INT8, new int[] {-1, out},
                    Quantization.perTensor(outputScale, outputZeroPoint)));
            nodes.add(new Node("fc" + l, OpType.FULLY_CONNECTED, List.of("q" + (l - 1), "w" + l, "b" + l), List.of("q" + l),
                    relu ? Map.of("activation", "RELU") : Map.of()));
            previousScale = outputScale;
        }
        int last = widths.length - 1;
        tensors.add(Tensor.activation("y", DataType.FLOAT32, new int[] {-1, widths[last]}, null));
        nodes.add(new Node("dequantize", OpType.DEQUANTIZE, List.of("q" + last), List.of("y")));
        return new Int8Mlp(new Graph(tensors, nodes, List.of("x"), List.of("y")), widths, layers, inputScale, inputZeroPoint);
    }

    /** Naive evaluation: quantize in double (exact for these magnitudes), reference FC, dequantize. */
    float[] reference(float[] x, int batch) {
        byte[] q = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i] / inputScale; // the division in fp32, as QUANTIZE does
            long rounded = (long) Math.signum(v) * (long) Math.floor(Math.abs(v) + 0.5);
            q[i] = (byte) Math.max(-128, Math.min(127, rounded + inputZeroPoint));
        }
        float scale = inputScale;
        int zeroPoint = inputZeroPoint;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            q = NaiveInt8FullyConnected.run(q, batch, layer.weights(), widths[l + 1], widths[l], layer.weightScales(),
                    layer.bias(), scale, zeroPoint, layer.outputScale(), layer.outputZeroPoint(), layer.relu());
            scale = layer.outputScale();
            zeroPoint = layer.outputZeroPoint();
        }
        float[] y = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            y[i] = scale * (q[i] - zeroPoint);
        }
        return y;
    }

    /** Bytes the weights occupy as int8, and the biases as int32. */
    long weightBytes() {
        return layers.stream().mapToLong(l -> l.weights().length + 4L * l.bias().length).sum();
    }
}
