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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places every activation tensor of a validated graph. Tensors sharing storage form a group: FLATTEN's
 * output is a view of its input, and RELU and SOFTMAX write over their input when nothing reads it
 * afterwards (TFLite's in-place ops). A group holding the graph input or output lives in the caller's
 * array; every other group is a buffer in the arena of its element type, placed by
 * {@link GreedyMemoryPlanner} over its lifetime, sized for {@code maxBatch} samples.
 *
 * <p>Java arrays cannot be reinterpreted, so int8 and fp32 groups get one arena each; a quantized
 * graph (QUANTIZE … DEQUANTIZE, fp32 only in the caller's arrays) and an fp32 graph each use one.
 */
final class ArenaLayout {

    private final Map<String, String> groupOf = new HashMap<>();  // tensor → its group's first tensor
    private final Map<String, Integer> lastRead = new HashMap<>(); // group → last step reading a member
    private final Map<String, Location> locations = new HashMap<>();
    private final long int8Elements;
    private final long floatElements;

    ArenaLayout(Graph graph, int maxBatch) {
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
            boolean view = node.op() == OpType.FLATTEN && !(group.equals(groupOf.get(input)) && out.equals(output));
            boolean inPlace = (node.op() == OpType.RELU || node.op() == OpType.SOFTMAX)
                    && !group.equals(groupOf.get(input)) && !contains(group, output) && lastRead.get(group) == i;
            String outGroup = view || inPlace ? group : out;
            groupOf.put(out, outGroup);
            lastRead.merge(outGroup, Math.max(i, reader.getOrDefault(out, i)), Math::max);
        }

        List<String> int8Groups = new ArrayList<>();
        List<String> floatGroups = new ArrayList<>();
        for (String group : lastRead.keySet()) {
            if (group.equals(groupOf.get(input))) {
                locations.put(group, new Location(Storage.INPUT, 0));
            } else if (contains(group, output)) {
                locations.put(group, new Location(Storage.OUTPUT, 0));
            } else {
                (tensors.get(group).type() == DataType.INT8 ? int8Groups : floatGroups).add(group);
            }
        }
        int8Elements = place(int8Groups, Storage.INT8_ARENA, tensors, producer, maxBatch);
        floatElements = place(floatGroups, Storage.FLOAT_ARENA, tensors, producer, maxBatch);
    }

    private boolean contains(String group, String tensor) {
        return group.equals(groupOf.get(tensor));
    }

    private long place(List<String> groups, Storage storage, Map<String, Tensor> tensors,
                       Map<String, Integer> producer, int maxBatch) {
        groups.sort(null); // deterministic plans
        List<BufferLifetime> buffers = new ArrayList<>();
        for (String group : groups) {
            long elements = Math.multiplyExact(tensors.get(group).elementsPerSample(), (long) maxBatch);
            buffers.add(new BufferLifetime(elements, producer.get(group), lastRead.get(group)));
        }
        MemoryPlan plan = GreedyMemoryPlanner.plan(buffers);
        if (plan.size() > Integer.MAX_VALUE - 8) {
            throw new InvalidGraphException("the " + storage + " needs " + plan.size()
                    + " elements for batch " + maxBatch + ", more than a Java array holds");
        }
        for (int g = 0; g < groups.size(); g++) {
            locations.put(groups.get(g), new Location(storage, (int) plan.offset(g)));
        }
        return plan.size();
    }

    /** Where {@code tensor} (an activation) lives. */
    Location location(String tensor) {
        return locations.get(groupOf.get(tensor));
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
