package dev.pipit.runtime;

import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small random fp32 CNN and its evaluation in double:
 * <pre>
 * x [n,3,6,6] → CONV 3×3 3→4 pad 1 → BATCH_NORMALIZATION (folded) → RELU → depthwise CONV 3×3 stride 2
 *   pad 1 RELU → BATCH_NORMALIZATION (not foldable: after an activation) → AVERAGE_POOL 2×2 pad 0,0,1,1
 *   → GLOBAL_AVERAGE_POOL → FLATTEN → FULLY_CONNECTED 4→3 → ADD constant [3] → LEAKY_RELU 0.1
 *   → CLIP [−1, 1] → SOFTMAX
 * </pre>
 */
record FloatCnn(Graph graph, float[] w1, float[] b1, float[][] bn1, float[] dw, float[] bdw, float[][] bn2,
                float[] fc, float[] fcBias, float[] addend) {

    static final int INPUT = 3 * 6 * 6;
    static final int OUTPUT = 3;

    private static float[] floats(SplittableRandom random, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(lo, hi);
        }
        return a;
    }

    /** scale, bias, mean, variance. */
    private static float[][] norm(SplittableRandom random) {
        return new float[][] {floats(random, 4, 0.5, 1.5), floats(random, 4, -0.5, 0.5), floats(random, 4, -0.3, 0.3),
                floats(random, 4, 0.2, 2)};
    }

    static FloatCnn random(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w1 = floats(random, 4 * 3 * 9, -0.5, 0.5), b1 = floats(random, 4, -0.2, 0.2);
        float[] dw = floats(random, 4 * 9, -0.6, 0.6), bdw = floats(random, 4, -0.1, 0.1);
        float[] fc = floats(random, 3 * 4, -1, 1), fcBias = floats(random, 3, -0.3, 0.3), addend = floats(random, 3, -0.5, 0.5);
        float[][] bn1 = norm(random), bn2 = norm(random);
        List<Tensor> t = new ArrayList<>();
        List<Node> n = new ArrayList<>();
        t.add(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 3, 6, 6}, null));
        t.add(Tensor.constant("w1", w1, 4, 3, 3, 3));
        t.add(Tensor.constant("b1", b1, 4));
        act(t, "c1", 4, 6, 6);
        n.add(new Node("c1", OpType.CONV_2D, List.of("x", "w1", "b1"), List.of("c1"), Map.of("pads", "1,1,1,1")));
        batchNorm(t, n, "bn1", "c1", bn1);
        act(t, "bn1", 4, 6, 6);
        act(t, "r1", 4, 6, 6);
        n.add(new Node("r1", OpType.RELU, List.of("bn1"), List.of("r1")));
        t.add(Tensor.constant("dw", dw, 4, 1, 3, 3));
        t.add(Tensor.constant("bdw", bdw, 4));
        act(t, "d1", 4, 3, 3);
        n.add(new Node("d1", OpType.CONV_2D, List.of("r1", "dw", "bdw"), List.of("d1"),
                Map.of("pads", "1,1,1,1", "strides", "2,2", "group", "4", "activation", "RELU")));
        batchNorm(t, n, "bn2", "d1", bn2);
        act(t, "bn2", 4, 3, 3);
        act(t, "ap", 4, 2, 2);
        n.add(new Node("ap", OpType.AVERAGE_POOL, List.of("bn2"), List.of("ap"), Map.of("kernel_shape", "2,2", "strides", "2,2",
                "pads", "0,0,1,1")));
        act(t, "g", 4, 1, 1);
        n.add(new Node("g", OpType.GLOBAL_AVERAGE_POOL, List.of("ap"), List.of("g")));
        act(t, "f", 4);
        n.add(new Node("f", OpType.FLATTEN, List.of("g"), List.of("f")));
        t.add(Tensor.constant("fc", fc, 3, 4));
        t.add(Tensor.constant("fcb", fcBias, 3));
        act(t, "h", 3);
        n.add(new Node("fc", OpType.FULLY_CONNECTED, List.of("f", "fc", "fcb"), List.of("h")));
        t.add(Tensor.constant("addend", addend, 3));
        act(t, "s", 3);
        n.add(new Node("add", OpType.ADD, List.of("h", "addend"), List.of("s")));
        act(t, "l", 3);
        n.add(new Node("leaky", OpType.LEAKY_RELU, List.of("s"), List.of("l"), Map.of("alpha", "0.1")));
        act(t, "c", 3);
        n.add(new Node("clip", OpType.CLIP, List.of("l"), List.of("c"), Map.of("min", "-1", "max", "1")));
        act(t, "y", 3);
        n.add(new Node("softmax", OpType.SOFTMAX, List.of("c"), List.of("y")));
        return new FloatCnn(new Graph(t, n, List.of("x"), List.of("y")), w1, b1, bn1, dw, bdw, bn2, fc, fcBias, addend);
    }

    private static void act(List<Tensor> t, String name, int... shape) {
        int[] batched = new int[shape.length + 1];
        batched[0] = -1;
        System.arraycopy(shape, 0, batched, 1, shape.length);
        t.add(Tensor.activation(name, DataType.FLOAT32, batched, null));
    }

    private static void batchNorm(List<Tensor> t, List<Node> n, String name, String input, float[][] p) {
        String[] roles = {"scale", "bias", "mean", "var"};
        List<String> inputs = new ArrayList<>(List.of(input));
        for (int i = 0; i < 4; i++) {
            t.add(Tensor.constant(name + "." + roles[i], p[i], 4));
            inputs.add(name + "." + roles[i]);
        }
        n.add(new Node(name, OpType.BATCH_NORMALIZATION, inputs, List.of(name), Map.of("epsilon", "0.001")));
    }

    private static double[] conv(double[] x, int c, int h, int w, float[] weights, float[] bias, int out, int group,
                                 int stride, boolean relu) {
        int oh = (h + 2 - 3) / stride + 1, ow = (w + 2 - 3) / stride + 1, groupIn = c / group, groupOut = out / group;
        double[] y = new double[out * oh * ow];
        for (int oc = 0; oc < out; oc++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = bias[oc];
                    for (int ic = 0; ic < groupIn; ic++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy * stride - 1 + ky, ix = ox * stride - 1 + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    acc += weights[((oc * groupIn + ic) * 3 + ky) * 3 + kx] * x[((oc / groupOut * groupIn + ic) * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    y[(oc * oh + oy) * ow + ox] = relu ? Math.max(acc, 0) : acc;
                }
            }
        }
        return y;
    }

    private static void normalize(double[] x, float[][] p, int plane) {
        for (int i = 0; i < x.length; i++) {
            int c = i / plane;
            x[i] = (x[i] - p[2][c]) / Math.sqrt(p[3][c] + 0.001) * p[0][c] + p[1][c];
        }
    }

    double[] reference(float[] input, int batch) {
        double[] y = new double[batch * OUTPUT];
        for (int b = 0; b < batch; b++) {
            double[] x = new double[INPUT];
            for (int i = 0; i < INPUT; i++) {
                x[i] = input[b * INPUT + i];
            }
            double[] c1 = conv(x, 3, 6, 6, w1, b1, 4, 1, 1, false);
            normalize(c1, bn1, 36);
            for (int i = 0; i < c1.length; i++) {
                c1[i] = Math.max(c1[i], 0);
            }
            double[] d1 = conv(c1, 4, 6, 6, dw, bdw, 4, 4, 2, true);
            normalize(d1, bn2, 9);
            double[] g = new double[4];
            for (int c = 0; c < 4; c++) {
                // average pool 2×2 stride 2 over 3×3 padded bottom/right: windows of 4, 2, 2 and 1 elements
                double[] v = new double[9];
                System.arraycopy(d1, c * 9, v, 0, 9);
                double a00 = (v[0] + v[1] + v[3] + v[4]) / 4, a01 = (v[2] + v[5]) / 2, a10 = (v[6] + v[7]) / 2, a11 = v[8];
                g[c] = (a00 + a01 + a10 + a11) / 4;
            }
            double[] logits = new double[3];
            double sum = 0;
            for (int o = 0; o < 3; o++) {
                double h = fcBias[o];
                for (int k = 0; k < 4; k++) {
                    h += fc[o * 4 + k] * g[k];
                }
                double s = h + addend[o];
                double l = s >= 0 ? s : 0.1f * s;
                logits[o] = Math.exp(Math.min(1, Math.max(-1, l)));
                sum += logits[o];
            }
            for (int o = 0; o < 3; o++) {
                y[b * 3 + o] = logits[o] / sum;
            }
        }
        return y;
    }
}
