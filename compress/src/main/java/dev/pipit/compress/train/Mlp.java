package dev.pipit.compress.train;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A multi-layer perceptron with ReLU between its fully-connected layers, as the trainer updates it.
 * Weights are {@code [out, in]} row-major, like PyTorch's {@code nn.Linear} and the runtime.
 *
 * @param sampleShape one input sample's shape without the batch dimension (e.g. {@code [1, 28, 28]})
 * @param widths each layer's output size (e.g. {@code [256, 128, 10]})
 * @param weights per layer, {@code widths[l] * inputs(l)} floats (mutable: the trainer updates them)
 * @param biases per layer, {@code widths[l]} floats
 */
public record Mlp(int[] sampleShape, int[] widths, float[][] weights, float[][] biases) {

    public Mlp {
        sampleShape = sampleShape.clone();
        widths = widths.clone();
        if (widths.length == 0 || weights.length != widths.length || biases.length != widths.length) {
            throw new IllegalArgumentException("an MLP needs one weight and bias array per layer");
        }
        int in = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        for (int l = 0; l < widths.length; l++) {
            if (widths[l] < 1 || weights[l].length != widths[l] * in || biases[l].length != widths[l]) {
                throw new IllegalArgumentException("layer " + l + " must hold " + widths[l] + "x" + in
                        + " weights and " + widths[l] + " biases");
            }
            in = widths[l];
        }
    }

    /** The reference architecture: flatten 1x28x28, fc 784→256, ReLU, fc 256→128, ReLU, fc 128→10. */
    public static Mlp reference(long seed) {
        return initialized(new int[] {1, 28, 28}, new int[] {256, 128, 10}, seed);
    }

    /**
     * PyTorch's default {@code nn.Linear} initialisation (Kaiming uniform with a = √5): weights and
     * biases uniform in ±1/√fan_in.
     */
    public static Mlp initialized(int[] sampleShape, int[] widths, long seed) {
        Random random = new Random(seed);
        float[][] w = new float[widths.length][];
        float[][] b = new float[widths.length][];
        int in = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        for (int l = 0; l < widths.length; l++) {
            float bound = (float) (1 / Math.sqrt(in));
            w[l] = uniform(random, widths[l] * in, bound);
            b[l] = uniform(random, widths[l], bound);
            in = widths[l];
        }
        return new Mlp(sampleShape, widths, w, b);
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return out;
    }

    public int layers() {
        return widths.length;
    }

    /** Input size of layer {@code l}. */
    public int inputs(int l) {
        return l == 0 ? Arrays.stream(sampleShape).reduce(1, Math::multiplyExact) : widths[l - 1];
    }

    /**
     * The fp32 runtime graph: {@code input [-1, sampleShape...]} → FLATTEN → FULLY_CONNECTED (ReLU fused
     * on all but the last) → {@code logits [-1, classes]}, matching a PyTorch export's interface.
     */
    public Graph toGraph() {
        List<Tensor> tensors = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        int[] inputShape = new int[sampleShape.length + 1];
        inputShape[0] = -1;
        System.arraycopy(sampleShape, 0, inputShape, 1, sampleShape.length);
        tensors.add(Tensor.activation("input", DataType.FLOAT32, inputShape, null));
        tensors.add(Tensor.activation("flat", DataType.FLOAT32, new int[] {-1, inputs(0)}, null));
        nodes.add(new Node("flatten", OpType.FLATTEN, List.of("input"), List.of("flat")));
        String x = "flat";
        for (int l = 0; l < layers(); l++) {
            String name = "fc" + (l + 1);
            boolean last = l == layers() - 1;
            String out = last ? "logits" : name + ".out";
            tensors.add(Tensor.constant(name + ".weight", weights[l], widths[l], inputs(l)));
            tensors.add(Tensor.constant(name + ".bias", biases[l], widths[l]));
            tensors.add(Tensor.activation(out, DataType.FLOAT32, new int[] {-1, widths[l]}, null));
            nodes.add(new Node(name, OpType.FULLY_CONNECTED, List.of(x, name + ".weight", name + ".bias"),
                    List.of(out), Map.of("activation", (last ? Activation.NONE : Activation.RELU).name())));
            x = out;
        }
        return new Graph(tensors, nodes, List.of("input"), List.of("logits"));
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int[] widths() {
        return widths.clone();
    }
}
