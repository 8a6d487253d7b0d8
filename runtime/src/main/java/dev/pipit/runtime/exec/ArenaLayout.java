package dev.pipit.runtime.exec;

import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.exec.Location.Storage;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.plan.BufferLifetime;
import dev.pipit.runtime.plan.GreedyMemoryPlanner;
import dev.pipit.runtime.plan.MemoryPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Places every activation tensor of a validated graph, and every node's scratch. Tensors sharing
 * storage form a group: FLATTEN's and RESHAPE's output is a view of their input, and elementwise ops
 * (RELU, RELU6, CLIP, LEAKY_RELU, SOFTMAX, BATCH_NORMALIZATION, ADD over its full-shaped first operand)
 * write over their input when nothing reads it afterwards (TFLite's in-place ops). A group holding the
 * graph input or output lives in the caller's array; every other group is a buffer in the arena of its
 * element type, placed by {@link GreedyMemoryPlanner} over its lifetime, sized for {@code maxBatch}
 * samples. A node's scratch (im2col patches, decoded weight rows, quantized inputs) is a buffer live
 * during that node only.
 *
 * <p>Java arrays cannot be reinterpreted, so int8 and fp32 buffers get one arena each; a quantized
 * graph (QUANTIZE … DEQUANTIZE, fp32 only in the caller's arrays) and an fp32 graph each mostly use one.
 */
final class ArenaLayout {

    private static final Set<OpType> VIEWS = EnumSet.of(OpType.FLATTEN, OpType.RESHAPE);
    private static final Set<OpType> ELEMENTWISE = EnumSet.of(OpType.RELU, OpType.RELU6, OpType.CLIP,
            OpType.LEAKY_RELU, OpType.SOFTMAX, OpType.BATCH_NORMALIZATION, OpType.ADD);

    private final Map<String, String> groupOf = new HashMap<>();  // tensor → its group's first tensor
    private final Map<String, Integer> lastRead = new HashMap<>(); // group → last step reading a member
    private final Map<String, Location> locations = new HashMap<>();
    private final Location[] int8Scratch;
    private final Location[] floatScratch;
    private final long int8Elements;
    private final long floatElements;

    /**
     * @param int8Scratch per node, the int8 scratch elements it needs (0 for none)
     * @param floatScratch per node, the fp32 scratch elements it needs
     */
    ArenaLayout(Graph graph, int maxBatch, int[] int8Scratch, int[] floatScratch) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        String input = graph.inputs().get(0);
        String output = graph.outputs().get(0);
        Map<String, Integer> producer = new HashMap<>();
        Map<String, Integer> reader = new HashMap<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (String t : nodes.get(i).inputs()) {
                reader.put(t, i);
            }
            for (String t : nodes.get(i).outputs()) {
                producer.put(t, i);
            }
        }
        groupOf.put(input, input);
        lastRead.put(input, reader.getOrDefault(input, 0));
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            String out = node.outputs().get(0);
            String in = node.inputs().get(0);
            String group = groupOf.get(in);
            boolean inputGroup = group.equals(input);
            boolean view = VIEWS.contains(node.op()) && !(inputGroup && out.equals(output));
            boolean inPlace = writesOver(node, tensors.get(in), tensors.get(out)) && !inputGroup && lastRead.get(group) == i;
            String outGroup = view || inPlace ? group : out;
            groupOf.put(out, outGroup);
            lastRead.merge(outGroup, Math.max(i, reader.getOrDefault(out, i)), Math::max);
        }

        List<Buffer> int8Buffers = new ArrayList<>();
        List<Buffer> floatBuffers = new ArrayList<>();
        List<String> groups = new ArrayList<>(lastRead.keySet());
        groups.sort(null); // deterministic plans
        for (String group : groups) {
            if (group.equals(input)) {
                locations.put(group, new Location(Storage.INPUT, 0));
            } else if (group.equals(groupOf.get(output))) {
                locations.put(group, new Location(Storage.OUTPUT, 0));
            } else {
                long elements = Math.multiplyExact(tensors.get(group).elementsPerSample(), (long) maxBatch);
                Buffer buffer = new Buffer(group, -1, new BufferLifetime(elements, producer.get(group), lastRead.get(group)));
                (tensors.get(group).type() == DataType.INT8 ? int8Buffers : floatBuffers).add(buffer);
            }
        }
        this.int8Scratch = new Location[nodes.size()];
        this.floatScratch = new Location[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            if (int8Scratch[i] > 0) {
                int8Buffers.add(new Buffer(null, i, new BufferLifetime(int8Scratch[i], i, i)));
            }
            if (floatScratch[i] > 0) {
                floatBuffers.add(new Buffer(null, i, new BufferLifetime(floatScratch[i], i, i)));
            }
        }
        int8Elements = place(int8Buffers, Storage.INT8_ARENA, this.int8Scratch, maxBatch);
        floatElements = place(floatBuffers, Storage.FLOAT_ARENA, this.floatScratch, maxBatch);
    }

    /** Whether {@code node} may write its output {@code y} over its first input {@code x}. */
    private static boolean writesOver(Node node, Tensor x, Tensor y) {
        int[] xs = x.shape();
        int[] ys = y.shape();
        return ELEMENTWISE.contains(node.op()) && x.type() == y.type()
                && Arrays.equals(xs, 1, xs.length, ys, 1, ys.length); // ADD: the first operand is not broadcast
    }

    /** A tensor group ({@code group} set) or a node's scratch ({@code node} set). */
    private record Buffer(String group, int node, BufferLifetime lifetime) {
    }

    private long place(List<Buffer> buffers, Storage storage, Location[] scratch, int maxBatch) {
        MemoryPlan plan = GreedyMemoryPlanner.plan(buffers.stream().map(Buffer::lifetime).toList());
        if (plan.size() > Integer.MAX_VALUE - 8) {
            throw new InvalidGraphException("the " + storage + " needs " + plan.size()
                    + " elements for batch " + maxBatch + ", more than a Java array holds");
        }
        for (int b = 0; b < buffers.size(); b++) {
            Location at = new Location(storage, (int) plan.offset(b));
            if (buffers.get(b).group() != null) {
                locations.put(buffers.get(b).group(), at);
            } else {
                scratch[buffers.get(b).node()] = at;
            }
        }
        return plan.size();
    }

    /** Where {@code tensor} (an activation) lives. */
    Location location(String tensor) {
        return locations.get(groupOf.get(tensor));
    }

    /** Offset of node {@code node}'s int8 scratch in the int8 arena (0 when it has none). */
    int int8Scratch(int node) {
        return int8Scratch[node] == null ? 0 : int8Scratch[node].offset();
    }

    /** Offset of node {@code node}'s fp32 scratch in the fp32 arena (0 when it has none). */
    int floatScratch(int node) {
        return floatScratch[node] == null ? 0 : floatScratch[node].offset();
    }

    int int8Elements() {
        return (int) int8Elements;
    }

    int floatElements() {
        return (int) floatElements;
    }

    long bytes() {
        return int8Elements + 4 * floatElements;
    }
}
