package dev.pipit.compress.quantize;

import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shows the values of intermediate tensors of an fp32 graph, computed by the runtime's own kernels: for
 * each tensor it loads the prefix of the graph that computes it, with that tensor as the output.
 */
public final class ActivationRecorder implements AutoCloseable {

    /** Sees one batch of a tensor's values, {@code batch} samples row-major. */
    public interface Observer {
        void observe(String tensor, float[] values);
    }

    private static final int BATCH = 100;

    private final Graph graph;
    private final Map<String, Interpreter> prefixes = new HashMap<>();
    private final Map<String, Integer> sizes = new HashMap<>();

    public ActivationRecorder(Graph graph, List<String> tensors) {
        this.graph = graph;
        Map<String, Tensor> byName = graph.tensorsByName();
        for (String t : tensors) {
            if (graph.inputs().contains(t)) {
                sizes.put(t, (int) byName.get(t).elementsPerSample());
                continue;
            }
            Interpreter interpreter = Interpreter.load(prefix(graph, t), new RuntimeOptions(BATCH, 1));
            prefixes.put(t, interpreter);
            sizes.put(t, interpreter.outputSize());
        }
    }

    /** Runs {@code count} samples (row-major in {@code samples}) and shows every tensor's values, batch by batch. */
    public void record(float[] samples, int count, Observer observer) {
        int size = (int) graph.tensorsByName().get(graph.inputs().get(0)).elementsPerSample();
        if (count < 1 || samples.length != (long) count * size) {
            throw new IllegalArgumentException("calibration holds " + samples.length + " floats, not " + count
                    + " samples of " + size);
        }
        for (int start = 0; start < count; start += BATCH) {
            int n = Math.min(BATCH, count - start);
            float[] batch = java.util.Arrays.copyOfRange(samples, start * size, (start + n) * size);
            for (Map.Entry<String, Integer> e : sizes.entrySet()) {
                Interpreter prefix = prefixes.get(e.getKey());
                if (prefix == null) {
                    observer.observe(e.getKey(), batch);
                } else {
                    float[] out = new float[n * e.getValue()];
                    prefix.run(batch, n, out);
                    observer.observe(e.getKey(), out);
                }
            }
        }
    }

    /** The nodes and tensors {@code target} depends on, with {@code target} as the only output. */
    static Graph prefix(Graph graph, String target) {
        Map<String, Node> producers = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
        }
        if (!producers.containsKey(target)) {
            throw new IllegalArgumentException("no node computes " + target);
        }
        Set<Node> needed = new HashSet<>();
        List<String> pending = new ArrayList<>(List.of(target));
        while (!pending.isEmpty()) {
            Node n = producers.get(pending.remove(pending.size() - 1));
            if (n != null && needed.add(n)) {
                pending.addAll(n.inputs());
            }
        }
        List<Node> nodes = graph.nodes().stream().filter(needed::contains).toList();
        Set<String> used = new HashSet<>(graph.inputs());
        for (Node n : nodes) {
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }
        List<Tensor> tensors = graph.tensors().stream().filter(t -> used.contains(t.name())).toList();
        return new Graph(tensors, nodes, graph.inputs(), List.of(target));
    }

    @Override
    public void close() {
        prefixes.values().forEach(Interpreter::close);
    }
}
