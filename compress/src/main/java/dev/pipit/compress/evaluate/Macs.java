package dev.pipit.compress.evaluate;

import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.util.Map;

/** Multiply-accumulates one sample costs: the weight elements of every fully-connected layer. */
public final class Macs {

    private Macs() {
    }

    public static long perSample(Graph graph) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        long macs = 0;
        for (Node n : graph.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED) {
                macs += tensors.get(n.inputs().get(1)).elementCount();
            }
        }
        return macs;
    }
}
