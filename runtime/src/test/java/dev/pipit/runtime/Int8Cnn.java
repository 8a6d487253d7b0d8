package dev.pipit.runtime;

import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.kernel.NaiveInt8Conv2d;
import dev.pipit.runtime.kernel.NaiveInt8FullyConnected;
import dev.pipit.runtime.kernel.NaiveInt8Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small random int8 CNN using every int8 operator family, as a compressor would emit it, and its
 * evaluation by the naive references:
 * <pre>
 * x [n,2,8,8] → QUANTIZE → CONV 3×3 2→8 pad 1 RELU → MAX_POOL 2×2/2 → depthwise CONV 3×3 RELU6
 *   → ADD (+ the pool output, residual) → CONV 1×1 8→12 (palette4 weights) → AVERAGE_POOL 2×2/2
 *   → GLOBAL_AVERAGE_POOL → RESHAPE [n,12] → FULLY_CONNECTED 12→10 (CSR weights) → SOFTMAX → DEQUANTIZE
 * </pre>
 */
record Int8Cnn(Graph graph, Map<String, byte[]> weights, Map<String, int[]> biases, Map<String, float[]> weightScales,
               Map<String, Quantization> q) {

    static final int INPUT = 2 * 8 * 8;
    static final int OUTPUT = 10;

    static Int8Cnn random(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, byte[]> weights = new java.util.HashMap<>();
        Map<String, int[]> biases = new java.util.HashMap<>();
        Map<String, float[]> scales = new java.util.HashMap<>();
        Map<String, Quantization> q = new java.util.HashMap<>();
        q.put("q0", Quantization.perTensor(1f / 64, -3));
        q.put("c1", Quantization.perTensor(0.025f, -100));
        q.put("p1", q.get("c1"));
        q.put("dw", Quantization.perTensor(0.03f, -110));
        q.put("a1", Quantization.perTensor(0.05f, -90));
        q.put("pw", Quantization.perTensor(0.1f, 5));
        q.put("ap", q.get("pw"));
        q.put("g", Quantization.perTensor(0.06f, 0));
        q.put("r", q.get("g"));
        q.put("fc", Quantization.perTensor(0.03f, -2));
        q.put("sm", Quantization.perTensor(1f / 256, -128));

        List<Tensor> t = new ArrayList<>();
        List<Node> n = new ArrayList<>();
        t.add(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 2, 8, 8}, null));
        activation(t, q, "q0", -1, 2, 8, 8);
        n.add(new Node("quantize", OpType.QUANTIZE, List.of("x"), List.of("q0")));

        layer(random, t, weights, biases, scales, q, "c1", "q0", 8, 2 * 9, 0.006, new int[] {8, 2, 3, 3}, false);
        activation(t, q, "c1", -1, 8, 8, 8);
        n.add(new Node("c1", OpType.CONV_2D, List.of("q0", "c1.w", "c1.b"), List.of("c1"),
                Map.of("pads", "1,1,1,1", "activation", "RELU")));
        activation(t, q, "p1", -1, 8, 4, 4);
        n.add(new Node("p1", OpType.MAX_POOL, List.of("c1"), List.of("p1"), Map.of("kernel_shape", "2,2", "strides", "2,2")));

        layer(random, t, weights, biases, scales, q, "dw", "p1", 8, 9, 0.02, new int[] {8, 1, 3, 3}, false);
        activation(t, q, "dw", -1, 8, 4, 4);
        n.add(new Node("dw", OpType.CONV_2D, List.of("p1", "dw.w", "dw.b"), List.of("dw"),
                Map.of("pads", "1,1,1,1", "group", "8", "activation", "RELU6")));
        activation(t, q, "a1", -1, 8, 4, 4);
        n.add(new Node("a1", OpType.ADD, List.of("dw", "p1"), List.of("a1")));

        Tensor pw = layer(random, t, weights, biases, scales, q, "pw", "a1", 12, 8, 0.01, new int[] {12, 8, 1, 1}, true);
        t.remove(pw);
        List<Tensor> palette = CompressedWeights.palette(pw, 4, false);
        t.addAll(palette);
        activation(t, q, "pw", -1, 12, 4, 4);
        n.add(new Node("pw", OpType.CONV_2D, List.of("a1", palette.get(0).name(), palette.get(1).name(), "pw.b"), List.of("pw"),
                Map.of("weight_format", "palette4", "kernel_shape", "1,1")));
        activation(t, q, "ap", -1, 12, 2, 2);
        n.add(new Node("ap", OpType.AVERAGE_POOL, List.of("pw"), List.of("ap"), Map.of("kernel_shape", "2,2", "strides", "2,2")));
        activation(t, q, "g", -1, 12, 1, 1);
        n.add(new Node("g", OpType.GLOBAL_AVERAGE_POOL, List.of("ap"), List.of("g")));
        activation(t, q, "r", -1, 12);
        n.add(new Node("r", OpType.RESHAPE, List.of("g"), List.of("r"), Map.of("shape", "-1")));

        Tensor fc = layer(random, t, weights, biases, scales, q, "fc", "r", 10, 12, 0.003, new int[] {10, 12}, true);
        t.remove(fc);
        List<Tensor> csr = CompressedWeights.csr(fc);
        t.addAll(csr);
        activation(t, q, "fc", -1, 10);
        n.add(new Node("fc", OpType.FULLY_CONNECTED, List.of("r", csr.get(0).name(), csr.get(1).name(), csr.get(2).name(), "fc.b"),
                List.of("fc"), Map.of("weight_format", "csr")));
        activation(t, q, "sm", -1, 10);
        n.add(new Node("sm", OpType.SOFTMAX, List.of("fc"), List.of("sm")));
        t.add(Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 10}, null));
        n.add(new Node("dequantize", OpType.DEQUANTIZE, List.of("sm"), List.of("y")));
        return new Int8Cnn(new Graph(t, n, List.of("x"), List.of("y")), weights, biases, scales, q);
    }

    private static void activation(List<Tensor> t, Map<String, Quantization> q, String name, int... shape) {
        t.add(Tensor.activation(name, DataType.INT8, shape, q.get(name)));
    }

    /**
     * Random int8 weights (a third of them zero, for CSR) with per-channel scales around {@code scale},
     * int32 bias; returns the weight tensor (already added, with the bias).
     */
    private static Tensor layer(SplittableRandom random, List<Tensor> t, Map<String, byte[]> weights, Map<String, int[]> biases,
                                Map<String, float[]> scales, Map<String, Quantization> q, String name, String input,
                                int out, int k, double scale, int[] shape, boolean fewLevels) {
        byte[] w = new byte[out * k];
        int[] levels = random.ints(12, -127, 128).toArray(); // palettizable: ≤ 13 values with 0
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextInt(3) == 0 ? 0 : (byte) (fewLevels ? levels[random.nextInt(levels.length)] : random.nextInt(-127, 128));
        }
        float[] s = new float[out];
        float[] biasScales = new float[out];
        int[] bias = new int[out];
        for (int c = 0; c < out; c++) {
            s[c] = (float) (scale * random.nextDouble(0.7, 1.3));
            biasScales[c] = q.get(input).scale() * s[c];
            bias[c] = random.nextInt(-500, 500);
        }
        weights.put(name, w);
        biases.put(name, bias);
        scales.put(name, s);
        Tensor wt = Tensor.constant(name + ".w", w, Quantization.perChannel(s, 0), shape);
        t.add(wt);
        t.add(Tensor.constant(name + ".b", bias, Quantization.perChannel(biasScales, 0), out));
        return wt;
    }

    private int min(String name, float bound) {
        Quantization out = q.get(name);
        return Math.max(-128, out.zeroPoint() + Math.round(bound / out.scale()));
    }

    private byte[] conv(byte[] x, int batch, String name, String input, NaiveInt8Conv2d.Shape shape, int min, int max) {
        Quantization in = q.get(input), out = q.get(name);
        return NaiveInt8Conv2d.run(x, batch, shape, weights.get(name), weightScales.get(name), biases.get(name),
                in.scale(), in.zeroPoint(), out.scale(), out.zeroPoint(), min, max);
    }

    /** The naive evaluation. */
    float[] reference(float[] x, int batch) {
        Quantization q0 = q.get("q0");
        byte[] v = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            double r = x[i] / q0.scale(); // the division in fp32, as QUANTIZE does
            long rounded = (long) Math.signum(r) * (long) Math.floor(Math.abs(r) + 0.5);
            v[i] = (byte) Math.max(-128, Math.min(127, rounded + q0.zeroPoint()));
        }
        byte[] c1 = conv(v, batch, "c1", "q0", new NaiveInt8Conv2d.Shape(2, 8, 8, 8, 1, 3, 3, 1, 1, new int[] {1, 1, 1, 1}, 1, 1),
                min("c1", 0), 127);
        byte[] p1 = NaiveInt8Ops.pool(c1, batch * 8, 8, 8, 2, 2, 2, 2, new int[4], false);
        Quantization dwq = q.get("dw");
        byte[] dw = conv(p1, batch, "dw", "p1", new NaiveInt8Conv2d.Shape(8, 4, 4, 8, 8, 3, 3, 1, 1, new int[] {1, 1, 1, 1}, 1, 1),
                min("dw", 0), Math.min(127, dwq.zeroPoint() + Math.round(6 / dwq.scale())));
        byte[] a1 = NaiveInt8Ops.add(dw, p1, i -> i, q.get("dw"), q.get("p1"), q.get("a1"), -128, 127);
        byte[] pw = conv(a1, batch, "pw", "a1", new NaiveInt8Conv2d.Shape(8, 4, 4, 12, 1, 1, 1, 1, 1, new int[4], 1, 1), -128, 127);
        byte[] ap = NaiveInt8Ops.pool(pw, batch * 12, 4, 4, 2, 2, 2, 2, new int[4], true);
        byte[] g = NaiveInt8Ops.globalAveragePool(ap, batch * 12, 4, q.get("ap"), q.get("g"));
        Quantization r = q.get("r"), fcq = q.get("fc");
        byte[] fc = NaiveInt8FullyConnected.run(g, batch, weights.get("fc"), 10, 12, weightScales.get("fc"), biases.get("fc"),
                r.scale(), r.zeroPoint(), fcq.scale(), fcq.zeroPoint(), false);
        byte[] sm = NaiveInt8Ops.softmax(fc, 10, fcq);
        float[] y = new float[sm.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (sm[i] + 128) / 256f;
        }
        return y;
    }

    /**
     * Bytes the weights take in memory: conv 1 and depthwise dense; pointwise palettized (12 rows of 8
     * four-bit indices and a codebook of its distinct values); fc in CSR (value and 16-bit column per
     * non-zero, 11 row starts); int32 biases.
     */
    long weightBytes() {
        long distinct = 0;
        boolean[] seen = new boolean[256];
        for (byte b : weights.get("pw")) {
            distinct += seen[b & 0xFF] ? 0 : 1;
            seen[b & 0xFF] = true;
        }
        long nonZeros = 0;
        for (byte b : weights.get("fc")) {
            nonZeros += b != 0 ? 1 : 0;
        }
        return 8 * 18 + 8 * 9 + (12 * 4 + distinct) + (3 * nonZeros + 4 * 11) + 4 * (8 + 8 + 12 + 10);
    }
}
