package dev.pipit.compress.security.evasion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.quantize.StaticQuantizer;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariantNetworkTest {

    private static final int N = 100;
    private static final float[] IMAGES = TestData.floats(TestData.test(), N);

    private static Graph int8() {
        return StaticQuantizer.quantize(ReferenceCnn.graph(), TestData.floats(TestData.train(), 200), 200);
    }

    private static float[] interpreted(Graph g) {
        try (Interpreter interpreter = Interpreter.load(g, new RuntimeOptions(N, 1))) {
            float[] out = new float[N * interpreter.outputSize()];
            interpreter.run(IMAGES, N, out);
            return out;
        }
    }

    @Test
    void lower_fp32Graph_computesTheRuntimesLogits() {
        Graph fp32 = ReferenceCnn.graph();
        float[] lowered = new Backprop(VariantNetwork.lower(fp32), N, 2).logits(IMAGES, N);
        assertArrayEquals(interpreted(fp32), lowered, 1e-3f);
    }

    @Test
    void lower_int8Graph_tracksTheInt8KernelsNotTheFp32Parent() {
        Graph int8 = int8();
        float[] runtime = interpreted(int8);
        float[] lowered = new Backprop(VariantNetwork.lower(int8), N, 2).logits(IMAGES, N);
        float[] parent = interpreted(ReferenceCnn.graph());
        double toRuntime = 0;
        double toParent = 0;
        int agree = 0;
        for (int b = 0; b < N; b++) {
            agree += Evaluator.argmax(runtime, b * 10, 10) == Evaluator.argmax(lowered, b * 10, 10) ? 1 : 0;
            for (int c = 0; c < 10; c++) {
                toRuntime += Math.abs(runtime[b * 10 + c] - lowered[b * 10 + c]);
                toParent += Math.abs(parent[b * 10 + c] - lowered[b * 10 + c]);
            }
        }
        assertTrue(agree >= 98, agree + " of " + N + " predictions agree with the int8 kernels");
        assertTrue(toRuntime < toParent / 2, "distance to int8 " + toRuntime + " vs to fp32 " + toParent);
    }

    @Test
    void lower_csrWeights_failsNamingTheFormat() {
        Graph int8 = int8();
        Map<String, Tensor> tensors = int8.tensorsByName();
        List<Node> nodes = new ArrayList<>();
        List<Tensor> list = new ArrayList<>(int8.tensors());
        for (Node n : int8.nodes()) {
            if (n.op() == OpType.FULLY_CONNECTED && list.stream().noneMatch(t -> t.name().endsWith("/row_ends"))) {
                Tensor w = tensors.get(n.inputs().get(1));
                List<Tensor> csr = CompressedWeights.csr(w);
                list.remove(w);
                list.addAll(csr);
                List<String> inputs = new ArrayList<>(List.of(n.inputs().get(0)));
                csr.forEach(t -> inputs.add(t.name()));
                inputs.addAll(n.inputs().subList(2, n.inputs().size()));
                Map<String, String> attributes = new HashMap<>(n.attributes());
                attributes.put("weight_format", "csr");
                nodes.add(new Node(n.name(), n.op(), inputs, n.outputs(), attributes));
            } else {
                nodes.add(n);
            }
        }
        Graph sparse = new Graph(list, nodes, int8.inputs(), int8.outputs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VariantNetwork.lower(sparse));
        assertTrue(e.getMessage().contains("csr weights cannot be lowered"), e.getMessage());
        assertArrayEquals(interpreted(int8), interpreted(sparse), 0f, "the csr graph itself runs");
    }
}
