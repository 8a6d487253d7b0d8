package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import dev.pipit.runtime.kernel.ActivationRange;
import dev.pipit.runtime.kernel.Add;
import dev.pipit.runtime.kernel.AveragePool2d;
import dev.pipit.runtime.kernel.BatchNorm;
import dev.pipit.runtime.kernel.Broadcast;
import dev.pipit.runtime.kernel.Clip;
import dev.pipit.runtime.kernel.ConcatInput;
import dev.pipit.runtime.kernel.DenseInt8Matrix;
import dev.pipit.runtime.kernel.Dequantize;
import dev.pipit.runtime.kernel.DynamicFullyConnected;
import dev.pipit.runtime.kernel.FloatConv2d;
import dev.pipit.runtime.kernel.FloatFullyConnected;
import dev.pipit.runtime.kernel.FloatMatMul;
import dev.pipit.runtime.kernel.GlobalAveragePool;
import dev.pipit.runtime.kernel.Int8Add;
import dev.pipit.runtime.kernel.Int8Clip;
import dev.pipit.runtime.kernel.Int8Conv2d;
import dev.pipit.runtime.kernel.Int8FullyConnected;
import dev.pipit.runtime.kernel.Int8LeakyRelu;
import dev.pipit.runtime.kernel.Int8Relu;
import dev.pipit.runtime.kernel.Int8Softmax;
import dev.pipit.runtime.kernel.LeakyRelu;
import dev.pipit.runtime.kernel.MaxPool2d;
import dev.pipit.runtime.kernel.Quantize;
import dev.pipit.runtime.kernel.Relu;
import dev.pipit.runtime.kernel.Softmax;
import dev.pipit.runtime.kernel.VectorKernels;
import dev.pipit.runtime.kernel.Window2d;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Validates a graph, folds its batch normalizations, and lowers it to steps in three phases: each node
 * to its kernel (parameters precomputed, scratch needs known), the arena planned with every tensor and
 * scratch buffer, then each kernel bound to its {@link Location}s. Nothing is allocated after that.
 */
final class GraphCompiler {

    /** Samples (or matrix rows) per GEMM tile of the fully-connected kernels: bounds the accumulators. */
    private static final int TILE_SAMPLES = 64;

    private final Map<String, Tensor> tensors;
    private final VectorKernels kernels;
    private final int maxBatch;
    private final int parts;
    private long weightBytes;

    /** A node's kernel: the scratch it needs and how it binds to the planned arena. */
    private record Lowered(int int8Scratch, int floatScratch, int accumulators, Binder binder) {

        static Lowered of(Binder binder) {
            return new Lowered(0, 0, 0, binder);
        }
    }

    @FunctionalInterface
    private interface Binder {
        /** The node's step, or null when it needs none (a view). */
        Step bind(Binding at);
    }

    /** What a kernel is bound to: the planned locations, its node's scratch, the shared accumulators. */
    private record Binding(ArenaLayout layout, int node, int[] accumulators, WorkerTeam team) {

        Location at(String tensor) {
            return layout.location(tensor);
        }

        int int8Scratch() {
            return layout.int8Scratch(node);
        }

        int floatScratch() {
            return layout.floatScratch(node);
        }

        /** Splits {@code rows} output channels over the team, if any. */
        Step parallel(RowStep step, int rows) {
            return team == null
                    ? (f, batch) -> step.run(f, batch, 0, rows, 0)
                    : (f, batch) -> team.run(step, f, batch, rows);
        }
    }

    private GraphCompiler(Graph graph, int maxBatch, int threads, VectorKernels kernels) {
        this.tensors = graph.tensorsByName();
        this.kernels = kernels;
        this.maxBatch = maxBatch;
        this.parts = threads;
    }

    static Program compile(Graph graph, int maxBatch, int threads, VectorKernels kernels) {
        GraphValidator.validate(graph);
        Graph folded = BatchNormFolding.fold(graph);
        GraphCompiler compiler = new GraphCompiler(folded, maxBatch, threads, kernels);
        List<Node> nodes = folded.nodes();
        Lowered[] lowered = new Lowered[nodes.size()];
        int[] int8Scratch = new int[nodes.size()];
        int[] floatScratch = new int[nodes.size()];
        int accumulators = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            try {
                lowered[i] = compiler.lower(node);
            } catch (IllegalArgumentException e) { // e.g. a requantization multiplier out of range, a bad CSR index
                throw new InvalidGraphException("node " + node.name() + " (" + node.op() + "): " + e.getMessage());
            }
            int8Scratch[i] = lowered[i].int8Scratch();
            floatScratch[i] = lowered[i].floatScratch();
            accumulators = Math.max(accumulators, lowered[i].accumulators());
        }
        ArenaLayout layout = new ArenaLayout(folded, maxBatch, int8Scratch, floatScratch);
        int[] acc = new int[accumulators];
        WorkerTeam team = threads > 1 ? new WorkerTeam(threads) : null;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Step step = lowered[i].binder().bind(new Binding(layout, i, acc, team));
            if (step != null) {
                steps.add(step);
            }
        }
        return new Program(steps.toArray(Step[]::new), new Frame(layout.int8Elements(), layout.floatElements()), team,
                (int) compiler.tensor(folded.inputs().get(0)).elementsPerSample(),
                (int) compiler.tensor(folded.outputs().get(0)).elementsPerSample(),
                layout.bytes(), compiler.weightBytes);
    }

    private Tensor tensor(String name) {
        return tensors.get(name);
    }

    private Tensor input(Node node, int index) {
        return tensor(node.inputs().get(index));
    }

    private Lowered lower(Node node) {
        Tensor x = input(node, 0);
        Tensor y = tensor(node.outputs().get(0));
        String in = x.name();
        String out = y.name();
        int count = (int) x.elementsPerSample();
        boolean int8 = x.type() == DataType.INT8;
        return switch (node.op()) {
            case FULLY_CONNECTED -> int8 ? int8FullyConnected(node, x, y) : floatFullyConnected(node, x, y);
            case CONV_2D -> int8 ? int8Conv(node, x, y) : floatConv(node, x, y);
            case RELU -> {
                if (int8) {
                    Int8Relu relu = new Int8Relu(x.quantization(), y.quantization());
                    yield Lowered.of(at -> elementwise(at, in, out, (f, i, o, batch) ->
                            relu.apply(f.int8Arena, i, f.int8Arena, o, batch * count)));
                }
                yield Lowered.of(at -> floatElementwise(at, in, out, (xs, i, ys, o, batch) -> Relu.apply(xs, i, ys, o, batch * count)));
            }
            case RELU6, CLIP -> {
                ActivationRange range = node.op() == OpType.RELU6 ? ActivationRange.of(Activation.RELU6)
                        : NodeAttributes.range(node, NodeAttributes.real(node, "min", Float.NEGATIVE_INFINITY),
                                NodeAttributes.real(node, "max", Float.POSITIVE_INFINITY));
                if (int8) {
                    Int8Clip clip = new Int8Clip(x.quantization(), y.quantization(), range);
                    yield Lowered.of(at -> elementwise(at, in, out, (f, i, o, batch) ->
                            clip.apply(f.int8Arena, i, f.int8Arena, o, batch * count)));
                }
                yield Lowered.of(at -> floatElementwise(at, in, out, (xs, i, ys, o, batch) -> Clip.apply(xs, i, ys, o, batch * count, range)));
            }
            case LEAKY_RELU -> {
                float alpha = NodeAttributes.real(node, "alpha", 0.01f);
                if (int8) {
                    Int8LeakyRelu leaky = new Int8LeakyRelu(x.quantization(), y.quantization(), alpha);
                    yield Lowered.of(at -> elementwise(at, in, out, (f, i, o, batch) ->
                            leaky.apply(f.int8Arena, i, f.int8Arena, o, batch * count)));
                }
                yield Lowered.of(at -> floatElementwise(at, in, out, (xs, i, ys, o, batch) ->
                        LeakyRelu.apply(xs, i, ys, o, batch * count, alpha)));
            }
            case SOFTMAX -> {
                int[] shape = x.shape();
                int cols = shape[shape.length - 1];
                if (int8) {
                    Int8Softmax softmax = new Int8Softmax(x.quantization());
                    yield Lowered.of(at -> elementwise(at, in, out, (f, i, o, batch) ->
                            softmax.apply(f.int8Arena, i, f.int8Arena, o, batch * count / cols, cols)));
                }
                yield Lowered.of(at -> floatElementwise(at, in, out, (xs, i, ys, o, batch) ->
                        Softmax.apply(xs, i, ys, o, batch * count / cols, cols)));
            }
            case FLATTEN, RESHAPE -> Lowered.of(at -> {
                Location from = at.at(in), to = at.at(out);
                if (from.equals(to)) {
                    return null; // a view
                }
                // Only a graph input reshaped straight into the graph output is copied.
                return (f, batch) -> System.arraycopy(f.floats(from), from.offset(), f.floats(to), to.offset(), batch * count);
            });
            case QUANTIZE -> {
                Quantize quantize = new Quantize(y.quantization());
                yield Lowered.of(at -> {
                    Location from = at.at(in), to = at.at(out);
                    return (f, batch) -> quantize.apply(f.floats(from), from.offset(), f.int8Arena, to.offset(), batch * count);
                });
            }
            case DEQUANTIZE -> {
                Dequantize dequantize = new Dequantize(x.quantization());
                yield Lowered.of(at -> {
                    Location from = at.at(in), to = at.at(out);
                    return (f, batch) -> dequantize.apply(f.int8Arena, from.offset(), f.floats(to), to.offset(), batch * count);
                });
            }
            case MAX_POOL, AVERAGE_POOL -> pool(node, x, int8);
            case GLOBAL_AVERAGE_POOL -> {
                int[] xs = x.shape();
                GlobalAveragePool pool = int8 ? new GlobalAveragePool(xs[1], xs[2] * xs[3], x.quantization(), y.quantization())
                        : new GlobalAveragePool(xs[1], xs[2] * xs[3]);
                yield Lowered.of(at -> {
                    Location from = at.at(in), to = at.at(out);
                    return int8 ? (f, batch) -> pool.run(f.int8Arena, from.offset(), f.int8Arena, to.offset(), batch)
                            : (f, batch) -> pool.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch);
                });
            }
            case ADD -> add(node, x, y);
            case CONCAT -> concat(node, y);
            case MATMUL -> matMul(node, x, y);
            case FULLY_CONNECTED_DYNAMIC -> dynamicFullyConnected(node, x, y);
            case BATCH_NORMALIZATION -> {
                int[] xs = x.shape();
                BatchNorm norm = new BatchNorm(input(node, 1).floats(), input(node, 2).floats(), input(node, 3).floats(),
                        input(node, 4).floats(), NodeAttributes.real(node, "epsilon", 1e-5f), count / xs[1]);
                weightBytes += 4L * 4 * xs[1];
                yield Lowered.of(at -> floatElementwise(at, in, out, norm::run));
            }
        };
    }

    // ---- elementwise helpers ----

    /** An int8 elementwise kernel given its frame and its input and output offsets. */
    @FunctionalInterface
    private interface Int8Kernel {
        void run(Frame f, int in, int out, int batch);
    }

    /** An fp32 elementwise kernel given its arrays and offsets. */
    @FunctionalInterface
    private interface FloatKernel {
        void run(float[] x, int xOff, float[] y, int yOff, int batch);
    }

    private static Step elementwise(Binding at, String in, String out, Int8Kernel kernel) {
        int i = at.at(in).offset(), o = at.at(out).offset();
        return (f, batch) -> kernel.run(f, i, o, batch);
    }

    private static Step floatElementwise(Binding at, String in, String out, FloatKernel kernel) {
        Location from = at.at(in), to = at.at(out);
        return (f, batch) -> kernel.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch);
    }

    // ---- layers with weights ----

    private int tileAccumulators(int rows, int out) {
        return Math.min(rows, TILE_SAMPLES) * out;
    }

    private Lowered int8FullyConnected(Node node, Tensor x, Tensor y) {
        int in = x.shape()[1], outs = y.shape()[1];
        WeightFormat format = WeightFormat.of(node);
        Tensor b = node.inputs().size() > 1 + format.tensors() ? input(node, 1 + format.tensors()) : null;
        Int8FullyConnected fc = new Int8FullyConnected(kernels, WeightDecoding.matrix(node, tensors, outs, in),
                input(node, 1).quantization(), b == null ? null : b.ints(), x.quantization(), y.quantization(),
                NodeAttributes.activation(node));
        weightBytes += fc.weightBytes();
        int scratch = fc.scratchBytes();
        return new Lowered(parts * scratch, 0, tileAccumulators(maxBatch, outs), at -> {
            int xi = at.at(x.name()).offset(), yi = at.at(y.name()).offset(), s = at.int8Scratch();
            int[] acc = at.accumulators();
            return at.parallel((f, batch, from, to, part) ->
                    fc.run(f.int8Arena, xi, f.int8Arena, yi, batch, from, to, acc, f.int8Arena, s + part * scratch), outs);
        });
    }

    private Lowered floatFullyConnected(Node node, Tensor x, Tensor y) {
        Tensor w = input(node, 1);
        Tensor b = node.inputs().size() == 3 ? input(node, 2) : null;
        int[] shape = w.shape();
        FloatFullyConnected fc = new FloatFullyConnected(kernels, w.floats(), shape[0], shape[1],
                b == null ? null : b.floats(), NodeAttributes.activation(node));
        weightBytes += fc.weightBytes();
        return Lowered.of(at -> {
            Location from = at.at(x.name()), to = at.at(y.name());
            return at.parallel((f, batch, rowFrom, rowTo, part) ->
                    fc.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch, rowFrom, rowTo), shape[0]);
        });
    }

    private Window2d window(Node node, int[] xs, int[] kernel, int[] dilations) {
        int[] strides = NodeAttributes.ints(node, "strides", 2, new int[] {1, 1});
        int[] pads = NodeAttributes.ints(node, "pads", 4, new int[4]);
        return new Window2d(xs[2], xs[3], kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                dilations[0], dilations[1]);
    }

    /** Compressed weights name their kernel size; dense ones have it in their shape. */
    private Window2d convWindow(Node node, int[] xs) {
        int[] kernel = WeightFormat.of(node) == WeightFormat.DENSE
                ? Arrays.copyOfRange(input(node, 1).shape(), 2, 4) : NodeAttributes.ints(node, "kernel_shape", 2, null);
        return window(node, xs, kernel, NodeAttributes.ints(node, "dilations", 2, new int[] {1, 1}));
    }

    private Lowered int8Conv(Node node, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int outs = y.shape()[1];
        int group = NodeAttributes.integer(node, "group", 1);
        Window2d window = convWindow(node, xs);
        WeightFormat format = WeightFormat.of(node);
        Tensor b = node.inputs().size() > 1 + format.tensors() ? input(node, 1 + format.tensors()) : null;
        Int8Conv2d conv = new Int8Conv2d(kernels,
                WeightDecoding.matrix(node, tensors, outs, xs[1] / group * window.kh() * window.kw()),
                input(node, 1).quantization(), b == null ? null : b.ints(), xs[1], group, window,
                x.quantization(), y.quantization(), NodeAttributes.activation(node));
        weightBytes += conv.weightBytes();
        int scratch = conv.scratchBytes();
        return new Lowered(parts * scratch, 0, conv.accumulators(), at -> {
            int xi = at.at(x.name()).offset(), yi = at.at(y.name()).offset(), s = at.int8Scratch();
            int[] acc = at.accumulators();
            return at.parallel((f, batch, from, to, part) ->
                    conv.run(f.int8Arena, xi, f.int8Arena, yi, batch, from, to, acc, f.int8Arena, s + part * scratch), outs);
        });
    }

    private Lowered floatConv(Node node, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int outs = y.shape()[1];
        int group = NodeAttributes.integer(node, "group", 1);
        Window2d window = convWindow(node, xs);
        Tensor b = node.inputs().size() == 3 ? input(node, 2) : null;
        FloatConv2d conv = new FloatConv2d(kernels, input(node, 1).floats(), outs, b == null ? null : b.floats(), xs[1], group,
                window, NodeAttributes.activation(node));
        weightBytes += conv.weightBytes();
        int scratch = conv.scratchFloats();
        return new Lowered(0, parts * scratch, 0, at -> {
            Location from = at.at(x.name()), to = at.at(y.name());
            int s = at.floatScratch();
            return at.parallel((f, batch, rowFrom, rowTo, part) -> conv.run(f.floats(from), from.offset(), f.floats(to), to.offset(),
                    batch, rowFrom, rowTo, f.floatArena, s + part * scratch), outs);
        });
    }

    private Lowered matMul(Node node, Tensor a, Tensor y) {
        Tensor b = input(node, 1);
        int[] as = a.shape();
        int k = as[as.length - 1];
        int m = as.length == 3 ? as[1] : 1;
        ActivationRange activation = NodeAttributes.activation(node);
        if (!b.isConstant()) {
            int n = b.shape()[2];
            FloatMatMul product = new FloatMatMul(m, k, n, activation);
            return Lowered.of(at -> {
                Location ai = at.at(a.name()), bi = at.at(b.name()), yi = at.at(y.name());
                return (f, batch) -> product.run(f.floats(ai), ai.offset(), f.floats(bi), bi.offset(), f.floats(yi), yi.offset(), batch);
            });
        }
        int n = b.shape()[1];
        if (a.type() == DataType.FLOAT32) {
            float[] values = b.floats();
            float[] transposed = new float[values.length];
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < n; j++) {
                    transposed[j * k + kk] = values[kk * n + j];
                }
            }
            FloatFullyConnected fc = new FloatFullyConnected(kernels, transposed, n, k, null, activation);
            weightBytes += 4L * values.length;
            return Lowered.of(at -> {
                Location from = at.at(a.name()), to = at.at(y.name());
                return at.parallel((f, batch, rowFrom, rowTo, part) ->
                        fc.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch * m, rowFrom, rowTo), n);
            });
        }
        byte[] values = b.bytes();
        byte[] transposed = new byte[values.length];
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
                transposed[j * k + kk] = values[kk * n + j];
            }
        }
        Quantization bq = b.quantization();
        Quantization wq = bq.isPerTensor() ? bq : Quantization.perChannel(bq.scales(), 0);
        Int8FullyConnected fc = new Int8FullyConnected(kernels, new DenseInt8Matrix(transposed, n, k), wq, null,
                a.quantization(), y.quantization(), activation);
        weightBytes += values.length;
        return new Lowered(0, 0, tileAccumulators(maxBatch * m, n), at -> {
            int xi = at.at(a.name()).offset(), yi = at.at(y.name()).offset();
            int[] acc = at.accumulators();
            return at.parallel((f, batch, from, to, part) ->
                    fc.run(f.int8Arena, xi, f.int8Arena, yi, batch * m, from, to, acc), n);
        });
    }

    private Lowered dynamicFullyConnected(Node node, Tensor x, Tensor y) {
        Tensor w = input(node, 1);
        Tensor b = node.inputs().size() == 3 ? input(node, 2) : null;
        int[] ws = w.shape();
        DynamicFullyConnected fc = new DynamicFullyConnected(kernels, new DenseInt8Matrix(w.bytes(), ws[0], ws[1]),
                w.quantization(), b == null ? null : b.floats(), NodeAttributes.activation(node), maxBatch);
        weightBytes += fc.weightBytes();
        return new Lowered(maxBatch * ws[1], 0, tileAccumulators(maxBatch, ws[0]), at -> {
            Location from = at.at(x.name()), to = at.at(y.name());
            int q = at.int8Scratch();
            int[] acc = at.accumulators();
            Step rows = at.parallel((f, batch, rowFrom, rowTo, part) ->
                    fc.run(f.int8Arena, q, f.floats(to), to.offset(), batch, rowFrom, rowTo, acc), ws[0]);
            return (f, batch) -> {
                fc.quantize(f.floats(from), from.offset(), batch, f.int8Arena, q);
                rows.run(f, batch);
            };
        });
    }

    // ---- pooling and data movement ----

    private Lowered pool(Node node, Tensor x, boolean int8) {
        int[] xs = x.shape();
        Window2d window = window(node, xs, NodeAttributes.ints(node, "kernel_shape", 2, null), new int[] {1, 1});
        String in = x.name(), out = node.outputs().get(0);
        if (node.op() == OpType.MAX_POOL) {
            MaxPool2d pool = new MaxPool2d(kernels, window, xs[1]);
            return Lowered.of(at -> {
                Location from = at.at(in), to = at.at(out);
                return int8 ? (f, batch) -> pool.run(f.int8Arena, from.offset(), f.int8Arena, to.offset(), batch)
                        : (f, batch) -> pool.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch);
            });
        }
        AveragePool2d pool = new AveragePool2d(window, xs[1]);
        return Lowered.of(at -> {
            Location from = at.at(in), to = at.at(out);
            return int8 ? (f, batch) -> pool.run(f.int8Arena, from.offset(), f.int8Arena, to.offset(), batch)
                    : (f, batch) -> pool.run(f.floats(from), from.offset(), f.floats(to), to.offset(), batch);
        });
    }

    private Lowered add(Node node, Tensor a, Tensor y) {
        Tensor b = input(node, 1);
        int[] as = a.shape();
        Broadcast broadcast = Broadcast.of(Arrays.copyOfRange(as, 1, as.length), GraphValidator.operandShape(b, as.length));
        int bStride = b.isConstant() ? 0 : broadcast.bSize();
        ActivationRange activation = NodeAttributes.activation(node);
        if (a.type() == DataType.INT8) {
            Int8Add sum = new Int8Add(broadcast, a.quantization(), b.quantization(), y.quantization(), activation);
            byte[] constant = b.isConstant() ? b.bytes() : null;
            weightBytes += constant == null ? 0 : constant.length;
            return Lowered.of(at -> {
                int ai = at.at(a.name()).offset(), yi = at.at(y.name()).offset();
                if (constant != null) {
                    return (f, batch) -> sum.run(f.int8Arena, ai, constant, 0, 0, f.int8Arena, yi, batch);
                }
                int bi = at.at(b.name()).offset();
                return (f, batch) -> sum.run(f.int8Arena, ai, f.int8Arena, bi, bStride, f.int8Arena, yi, batch);
            });
        }
        Add sum = new Add(broadcast, activation);
        float[] constant = b.isConstant() ? b.floats() : null;
        weightBytes += constant == null ? 0 : 4L * constant.length;
        return Lowered.of(at -> {
            Location ai = at.at(a.name()), yi = at.at(y.name());
            if (constant != null) {
                return (f, batch) -> sum.run(f.floats(ai), ai.offset(), constant, 0, 0, f.floats(yi), yi.offset(), batch);
            }
            Location bi = at.at(b.name());
            return (f, batch) -> sum.run(f.floats(ai), ai.offset(), f.floats(bi), bi.offset(), bStride, f.floats(yi), yi.offset(), batch);
        });
    }

    private Lowered concat(Node node, Tensor y) {
        int[] ys = y.shape();
        int axis = NodeAttributes.integer(node, "axis", 0);
        int resolved = axis < 0 ? axis + ys.length : axis;
        int outer = 1, inner = 1;
        for (int d = 1; d < resolved; d++) {
            outer *= ys[d];
        }
        for (int d = resolved + 1; d < ys.length; d++) {
            inner *= ys[d];
        }
        List<String> inputs = node.inputs();
        ConcatInput[] slices = new ConcatInput[inputs.size()];
        int start = 0;
        for (int i = 0; i < slices.length; i++) {
            Tensor x = tensor(inputs.get(i));
            int run = x.shape()[resolved] * inner;
            slices[i] = y.type() == DataType.INT8
                    ? new ConcatInput(outer, run, ys[resolved] * inner, start, x.quantization(), y.quantization())
                    : new ConcatInput(outer, run, ys[resolved] * inner, start);
            start += run;
        }
        boolean int8 = y.type() == DataType.INT8;
        return Lowered.of(at -> {
            Location[] from = inputs.stream().map(at::at).toArray(Location[]::new);
            Location to = at.at(y.name());
            return (f, batch) -> {
                for (int i = 0; i < slices.length; i++) {
                    if (int8) {
                        slices[i].run(f.int8Arena, from[i].offset(), f.int8Arena, to.offset(), batch);
                    } else {
                        slices[i].run(f.floats(from[i]), from[i].offset(), f.floats(to), to.offset(), batch);
                    }
                }
            };
        });
    }
}
