package dev.pipit.bench;

import dev.pipit.compress.data.FashionMnist;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The graphs the benchmarks run: single int8 layers (quantize → layer → dequantize) and the reference models. */
final class Workloads {

    static final Path MODELS = Path.of(System.getProperty("pipit.models", "compress/src/test/resources/models"));
    private static final int CALIBRATION_IMAGES = 500;

    private Workloads() {
    }

    /** One int8 layer: a fully-connected {@code in → out} or a 3×3 convolution (pad 1) over {@code c × 28 × 28}. */
    static Graph int8Layer(String kernel) {
        Random random = new Random(42);
        return switch (kernel) {
            case "gemv256x784" -> fullyConnected(784, 256, random);
            case "gemv1024x1024", "gemm1024x1024" -> fullyConnected(1024, 1024, random);
            case "conv3x3_32x32" -> conv(32, 32, 1, random);
            case "depthwise3x3_64" -> conv(64, 64, 64, random);
            default -> throw new IllegalArgumentException(kernel);
        };
    }

    /** Batch the kernel runs at. */
    static int batch(String kernel) {
        return kernel.startsWith("gemm") ? 32 : 1;
    }

    /** Elements of one input sample. */
    static int inputSize(Graph g) {
        return (int) g.tensorsByName().get(g.inputs().get(0)).elementsPerSample();
    }

    /** Multiply-accumulates per sample of the FULLY_CONNECTED and CONV_2D nodes. */
    static long macs(Graph g) {
        Map<String, Tensor> t = g.tensorsByName();
        long macs = 0;
        for (Node n : g.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED || n.op() == OpType.CONV_2D) {
                long weights = t.get(n.inputs().get(1)).elementCount();
                long positions = n.op() == OpType.CONV_2D
                        ? t.get(n.outputs().get(0)).elementsPerSample() / t.get(n.inputs().get(1)).shape()[0] : 1;
                macs += weights * positions;
            }
        }
        return macs;
    }

    static Graph fp32Model(String model) throws IOException {
        return OnnxImporter.read(MODELS.resolve(model + "_fp32.onnx"));
    }

    /** The model quantized by the toolkit (min/max, per-channel weights) on Fashion-MNIST training images. */
    static Graph int8Model(Graph fp32) throws IOException {
        LabeledImages train = FashionMnist.train(FashionMnist.DEFAULT_DIR);
        float[] calibration = new float[CALIBRATION_IMAGES * train.imageSize()];
        train.copyImages(0, CALIBRATION_IMAGES, calibration, 0);
        return StaticQuantizer.quantize(fp32, calibration, CALIBRATION_IMAGES);
    }

    /** Test images as model input, {@code batch} samples. */
    static float[] images(int batch) throws IOException {
        LabeledImages test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
        float[] in = new float[batch * test.imageSize()];
        test.copyImages(0, batch, in, 0);
        return in;
    }

    static float[] randomInput(int n) {
        Random random = new Random(7);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static Graph fullyConnected(int in, int out, Random random) {
        Quantization xq = Quantization.perTensor(2f / 255, 0);
        Quantization yq = Quantization.perTensor(0.05f, 0);
        float[] scales = scales(out, random);
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, in}, null),
                Tensor.activation("xq", DataType.INT8, new int[] {-1, in}, xq),
                Tensor.constant("w", weights(out * in, random), Quantization.perChannel(scales, 0), out, in),
                Tensor.constant("b", new int[out], Quantization.perChannel(biasScales(xq, scales), 0), out),
                Tensor.activation("yq", DataType.INT8, new int[] {-1, out}, yq),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, out}, null)),
                List.of(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("xq")),
                        new Node("fc", OpType.FULLY_CONNECTED, List.of("xq", "w", "b"), List.of("yq")),
                        new Node("dequantize", OpType.DEQUANTIZE, List.of("yq"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    private static Graph conv(int c, int out, int group, Random random) {
        Quantization xq = Quantization.perTensor(2f / 255, 0);
        Quantization yq = Quantization.perTensor(0.05f, 0);
        float[] scales = scales(out, random);
        int[] image = {-1, c, 28, 28};
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, image, null),
                Tensor.activation("xq", DataType.INT8, image, xq),
                Tensor.constant("w", weights(out * (c / group) * 9, random), Quantization.perChannel(scales, 0), out, c / group, 3, 3),
                Tensor.constant("b", new int[out], Quantization.perChannel(biasScales(xq, scales), 0), out),
                Tensor.activation("yq", DataType.INT8, new int[] {-1, out, 28, 28}, yq),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, out, 28, 28}, null)),
                List.of(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("xq")),
                        new Node("conv", OpType.CONV_2D, List.of("xq", "w", "b"), List.of("yq"),
                                Map.of("pads", "1,1,1,1", "group", Integer.toString(group))),
                        new Node("dequantize", OpType.DEQUANTIZE, List.of("yq"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    private static byte[] weights(int n, Random random) {
        byte[] w = new byte[n];
        for (int i = 0; i < n; i++) {
            w[i] = (byte) (random.nextInt(255) - 127);
        }
        return w;
    }

    private static float[] scales(int n, Random random) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = 0.001f + random.nextFloat() * 0.002f;
        }
        return s;
    }

    private static float[] biasScales(Quantization x, float[] weightScales) {
        float[] s = new float[weightScales.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = x.scale() * weightScales[i];
        }
        return s;
    }
}
