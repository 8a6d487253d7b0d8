package dev.pipit.compress.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A feed-forward network as the trainer updates it: a sequence of layers applied to one input sample
 * of {@code inputShape}. Flattening is implicit (every layer reads its input as a flat sample).
 *
 * @param inputShape one sample without the batch dimension, e.g. {@code [1, 28, 28]}
 * @param layers in order
 */
public record Network(int[] inputShape, List<Layer> layers) {

    public Network {
        inputShape = inputShape.clone();
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
    }

    /**
     * The reference CNN of {@code models/cnn_fp32.onnx}: conv 3×3 1→16, ReLU, maxpool 2; conv 3×3 16→32,
     * ReLU, maxpool 2; flatten; fc 800→128, ReLU; fc 128→10. No padding, so 28→26→13→11→5.
     */
    public static Network referenceCnn(long seed) {
        return cnn(16, 32, 128, seed);
    }

    /** The reference CNN's shape with other widths (the distillation student uses 8, 16, 48). */
    public static Network cnn(int c1, int c2, int hidden, long seed) {
        Random random = new Random(seed);
        List<Layer> layers = new ArrayList<>();
        int[] shape = {1, 28, 28};
        Conv2d conv1 = Conv2d.initialized(shape, c1, 3, random);
        layers.add(conv1);
        layers.add(new Relu(conv1.outputShape()));
        MaxPool pool1 = new MaxPool(conv1.outputShape(), 2, 2);
        layers.add(pool1);
        Conv2d conv2 = Conv2d.initialized(pool1.outputShape(), c2, 3, random);
        layers.add(conv2);
        layers.add(new Relu(conv2.outputShape()));
        MaxPool pool2 = new MaxPool(conv2.outputShape(), 2, 2);
        layers.add(pool2);
        Dense fc1 = Dense.initialized(pool2.outputSize(), hidden, random);
        layers.add(fc1);
        layers.add(new Relu(fc1.outputShape()));
        layers.add(Dense.initialized(hidden, 10, random));
        return new Network(shape, layers);
    }

    /** The reference MLP: flatten 1×28×28, fc 784→256, ReLU, fc 256→128, ReLU, fc 128→10. */
    public static Network referenceMlp(long seed) {
        return mlp(new int[] {256, 128, 10}, seed);
    }

    /** Fully-connected layers of the given widths over a flattened 1×28×28 image, ReLU between them. */
    public static Network mlp(int[] widths, long seed) {
        Random random = new Random(seed);
        List<Layer> layers = new ArrayList<>();
        int in = 784;
        for (int l = 0; l < widths.length; l++) {
            layers.add(Dense.initialized(in, widths[l], random));
            if (l < widths.length - 1) {
                layers.add(new Relu(new int[] {widths[l]}));
            }
            in = widths[l];
        }
        return new Network(new int[] {1, 28, 28}, layers);
    }

    static float[] uniform(Random random, int n, float bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        return out;
    }

    public int inputSize() {
        return Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /** Weights and biases of every layer. */
    public long parameterCount() {
        long n = 0;
        for (Layer l : layers) {
            for (float[] p : l.parameters()) {
                n += p.length;
            }
        }
        return n;
    }

    /** The layers that hold weights, in order. */
    public List<WeightedLayer> weighted() {
        return layers.stream().filter(l -> l instanceof WeightedLayer).map(l -> (WeightedLayer) l).toList();
    }

    /** An independent copy with the same weights (constraints are not copied). */
    public Network copy() {
        List<Layer> copies = new ArrayList<>();
        for (Layer l : layers) {
            if (l instanceof Conv2d c) {
                copies.add(new Conv2d(c.inputShape(), c.rows, c.kernel, c.stride, c.pad, c.weight.clone(), c.bias.clone()));
            } else if (l instanceof Dense d) {
                copies.add(new Dense(d.cols, d.rows, d.weight.clone(), d.bias.clone()));
            } else if (l instanceof Relu r) {
                copies.add(new Relu(r.outputShape()));
            } else if (l instanceof MaxPool p) {
                copies.add(new MaxPool(new int[] {p.channels, p.height, p.width}, p.kernel, p.stride));
            } else {
                throw new IllegalStateException("cannot copy " + l);
            }
        }
        return new Network(inputShape, copies);
    }
}
