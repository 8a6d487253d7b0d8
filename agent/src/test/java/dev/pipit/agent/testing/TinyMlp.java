package dev.pipit.agent.testing;

import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small two-layer perceptron (in → hidden with ReLU → out) with seeded random weights, as an fp32 graph
 * and as the int8 graph a compressor would make of it: per-channel symmetric weights, int32 bias,
 * activation ranges calibrated on sample inputs. Inputs are expected in [0, 1), like scaled pixels.
 */
public record TinyMlp(int in, int hidden, int out, float[] w1, float[] b1, float[] w2, float[] b2) {

    public static TinyMlp random(long seed, int in, int hidden, int out) {
        SplittableRandom r = new SplittableRandom(seed);
        return new TinyMlp(in, hidden, out, gaussian(r, hidden * in, 1 / Math.sqrt(in)), gaussian(r, hidden, 0.1),
                gaussian(r, out * hidden, 1 / Math.sqrt(hidden)), gaussian(r, out, 0.1));
    }

    /** {@code count} samples of {@code in} values in [0, 1). */
    public float[] inputs(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    public Graph fp32() {
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, in}, null),
                Tensor.constant("w1", w1, hidden, in),
                Tensor.constant("b1", b1, hidden),
                Tensor.activation("h", DataType.FLOAT32, new int[] {-1, hidden}, null),
                Tensor.constant("w2", w2, out, hidden),
                Tensor.constant("b2", b2, out),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, out}, null)),
                List.of(new Node("fc1", OpType.FULLY_CONNECTED, List.of("x", "w1", "b1"), List.of("h"),
                                Map.of("activation", "RELU")),
                        new Node("fc2", OpType.FULLY_CONNECTED, List.of("h", "w2", "b2"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    /** The int8 graph, with activation ranges calibrated on {@code calibration} ({@code n * in} values). */
    public Graph int8(float[] calibration) {
        int n = calibration.length / in;
        float[] h = dense(calibration, n, w1, b1, in, hidden, true);
        float[] y = dense(h, n, w2, b2, hidden, out, false);
        float xScale = 1f / 255;
        int xZero = -128;
        float hScale = Math.max(max(h), 1e-6f) / 255;
        int hZero = -128;
        float yMin = Math.min(0, min(y));
        float yScale = Math.max(Math.max(0, max(y)) - yMin, 1e-6f) / 255;
        int yZero = Math.max(-128, Math.min(127, Math.round(-128 - yMin / yScale)));
        float[] s1 = channelScales(w1, hidden, in);
        float[] s2 = channelScales(w2, out, hidden);
        return new Graph(List.of(
                Tensor.activation("x", DataType.FLOAT32, new int[] {-1, in}, null),
                Tensor.activation("xq", DataType.INT8, new int[] {-1, in}, Quantization.perTensor(xScale, xZero)),
                Tensor.constant("w1", quantize(w1, s1, in), Quantization.perChannel(s1, 0), hidden, in),
                Tensor.constant("b1", bias(b1, s1, xScale), Quantization.perChannel(times(s1, xScale), 0), hidden),
                Tensor.activation("hq", DataType.INT8, new int[] {-1, hidden}, Quantization.perTensor(hScale, hZero)),
                Tensor.constant("w2", quantize(w2, s2, hidden), Quantization.perChannel(s2, 0), out, hidden),
                Tensor.constant("b2", bias(b2, s2, hScale), Quantization.perChannel(times(s2, hScale), 0), out),
                Tensor.activation("yq", DataType.INT8, new int[] {-1, out}, Quantization.perTensor(yScale, yZero)),
                Tensor.activation("y", DataType.FLOAT32, new int[] {-1, out}, null)),
                List.of(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("xq")),
                        new Node("fc1", OpType.FULLY_CONNECTED, List.of("xq", "w1", "b1"), List.of("hq"),
                                Map.of("activation", "RELU")),
                        new Node("fc2", OpType.FULLY_CONNECTED, List.of("hq", "w2", "b2"), List.of("yq")),
                        new Node("dequantize", OpType.DEQUANTIZE, List.of("yq"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    private static float[] dense(float[] x, int n, float[] w, float[] b, int in, int out, boolean relu) {
        float[] y = new float[n * out];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) w[o * in + i] * x[s * in + i];
                }
                y[s * out + o] = (float) (relu ? Math.max(0, acc) : acc);
            }
        }
        return y;
    }

    private static float[] channelScales(float[] w, int out, int in) {
        float[] s = new float[out];
        for (int o = 0; o < out; o++) {
            float m = 0;
            for (int i = 0; i < in; i++) {
                m = Math.max(m, Math.abs(w[o * in + i]));
            }
            s[o] = Math.max(m, 1e-6f) / 127;
        }
        return s;
    }

    private static byte[] quantize(float[] w, float[] scales, int in) {
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            q[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / scales[i / in])));
        }
        return q;
    }

    private static int[] bias(float[] b, float[] wScales, float inScale) {
        int[] q = new int[b.length];
        for (int o = 0; o < b.length; o++) {
            q[o] = Math.round(b[o] / (wScales[o] * inScale));
        }
        return q;
    }

    private static float[] times(float[] s, float k) {
        float[] r = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            r[i] = s[i] * k;
        }
        return r;
    }

    private static float[] gaussian(SplittableRandom r, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17
            v[i] = (float) (sigma * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return v;
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static float min(float[] v) {
        float m = Float.POSITIVE_INFINITY;
        for (float x : v) {
            m = Math.min(m, x);
        }
        return m;
    }
}
