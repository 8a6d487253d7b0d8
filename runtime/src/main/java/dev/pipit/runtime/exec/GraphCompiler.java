package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.kernel.Dequantize;
import dev.pipit.runtime.kernel.FloatFullyConnected;
import dev.pipit.runtime.kernel.Int8FullyConnected;
import dev.pipit.runtime.kernel.Int8Relu;
import dev.pipit.runtime.kernel.Quantize;
import dev.pipit.runtime.kernel.Relu;
import dev.pipit.runtime.kernel.Softmax;
import dev.pipit.runtime.kernel.VectorKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates a graph and lowers it to steps: kernel parameters precomputed, tensors bound to their
 * {@link Location}s in the planned arenas.
 */
final class GraphCompiler {

    private final Map<String, Tensor> tensors;
    private final VectorKernels kernels;
    private final ArenaLayout layout;
    private final int[] accumulators; // int8 FC scratch, shared: steps run one after another
    private final WorkerTeam team;
    private long weightBytes;

    private GraphCompiler(Graph graph, ArenaLayout layout, WorkerTeam team, VectorKernels kernels) {
        this.tensors = graph.tensorsByName();
        this.kernels = kernels;
        this.layout = layout;
        this.team = team;
        this.accumulators = new int[graph.nodes().stream()
                .filter(n -> n.op() == OpType.FULLY_CONNECTED && tensor(n.inputs().get(1)).type() == DataType.INT8)
                .mapToInt(n -> tensor(n.inputs().get(1)).shape()[0]).max().orElse(0)];
    }

    static Program compile(Graph graph, int maxBatch, int threads, VectorKernels kernels) {
        GraphValidator.validate(graph);
        ArenaLayout layout = new ArenaLayout(graph, maxBatch);
        WorkerTeam team = threads > 1 ? new WorkerTeam(threads) : null;
        GraphCompiler compiler = new GraphCompiler(graph, layout, team, kernels);
        List<Step> steps = new ArrayList<>();
        for (Node node : graph.nodes()) {
            try {
                Step step = compiler.lower(node);
                if (step != null) {
                    steps.add(step);
                }
            } catch (IllegalArgumentException e) { // e.g. a requantization multiplier out of range
                if (team != null) {
                    team.close();
                }
                throw new InvalidGraphException("node " + node.name() + " (" + node.op() + "): " + e.getMessage());
            }
        }
        return new Program(steps.toArray(Step[]::new), new Frame(layout.int8Elements(), layout.floatElements()), team,
                (int) compiler.tensor(graph.inputs().get(0)).elementsPerSample(),
                (int) compiler.tensor(graph.outputs().get(0)).elementsPerSample(),
                layout.bytes(), compiler.weightBytes);
    }

    private Tensor tensor(String name) {
        return tensors.get(name);
    }

    /** The node's step, or null when it needs none (a FLATTEN that is a view of its input). */
    private Step lower(Node node) {
        Tensor x = tensor(node.inputs().get(0));
        Tensor y = tensor(node.outputs().get(0));
        Location in = layout.location(x.name());
        Location out = layout.location(y.name());
        int count = (int) x.elementsPerSample();
        return switch (node.op()) {
            case FULLY_CONNECTED -> x.type() == DataType.INT8 ? int8FullyConnected(node, in, out) : floatFullyConnected(node, in, out);
            case RELU -> {
                if (x.type() == DataType.INT8) {
                    Int8Relu relu = new Int8Relu(x.quantization(), y.quantization());
                    yield (f, batch) -> relu.apply(f.int8Arena, in.offset(), f.int8Arena, out.offset(), batch * count);
                }
                yield (f, batch) -> Relu.apply(f.floats(in), in.offset(), f.floats(out), out.offset(), batch * count);
            }
            case SOFTMAX -> {
                int[] shape = x.shape();
                int cols = shape[shape.length - 1];
                yield (f, batch) -> Softmax.apply(f.floats(in), in.offset(), f.floats(out), out.offset(), batch * count / cols, cols);
            }
            case FLATTEN -> {
                if (in.equals(out)) {
                    yield null;
                }
                // Only a graph input flattened straight into the graph output is copied.
                yield (f, batch) -> System.arraycopy(f.floats(in), in.offset(), f.floats(out), out.offset(), batch * count);
            }
            case QUANTIZE -> {
                Quantize quantize = new Quantize(y.quantization());
                yield (f, batch) -> quantize.apply(f.floats(in), in.offset(), f.int8Arena, out.offset(), batch * count);
            }
            case DEQUANTIZE -> {
                Dequantize dequantize = new Dequantize(x.quantization());
                yield (f, batch) -> dequantize.apply(f.int8Arena, in.offset(), f.floats(out), out.offset(), batch * count);
            }
        };
    }

    private Step int8FullyConnected(Node node, Location in, Location out) {
        Tensor w = tensor(node.inputs().get(1));
        Tensor b = node.inputs().size() == 3 ? tensor(node.inputs().get(2)) : null;
        int[] shape = w.shape();
        Int8FullyConnected fc = new Int8FullyConnected(kernels, w.bytes(), shape[0], shape[1], w.quantization(),
                b == null ? null : b.ints(), tensor(node.inputs().get(0)).quantization(),
                tensor(node.outputs().get(0)).quantization(), node.activation());
        weightBytes += fc.weightBytes();
        int[] acc = accumulators;
        return parallel((f, batch, from, to) ->
                fc.run(f.int8Arena, in.offset(), f.int8Arena, out.offset(), batch, from, to, acc), shape[0]);
    }

    private Step floatFullyConnected(Node node, Location in, Location out) {
        Tensor w = tensor(node.inputs().get(1));
        Tensor b = node.inputs().size() == 3 ? tensor(node.inputs().get(2)) : null;
        int[] shape = w.shape();
        FloatFullyConnected fc = new FloatFullyConnected(kernels, w.floats(), shape[0], shape[1],
                b == null ? null : b.floats(), node.activation());
        weightBytes += fc.weightBytes();
        return parallel((f, batch, from, to) ->
                fc.run(f.floats(in), in.offset(), f.floats(out), out.offset(), batch, from, to), shape[0]);
    }

    private Step parallel(RowStep rows, int count) {
        WorkerTeam workers = team;
        return workers == null
                ? (f, batch) -> rows.run(f, batch, 0, count)
                : (f, batch) -> workers.run(rows, f, batch, count);
    }
}
