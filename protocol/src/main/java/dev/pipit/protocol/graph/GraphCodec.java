package dev.pipit.protocol.graph;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.pipit.protocol.v1.NodeDef;
import dev.pipit.protocol.v1.QuantizationDef;
import dev.pipit.protocol.v1.TensorDef;
import dev.pipit.protocol.v1.VariantGraph;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Converts between the runtime's graph and its wire form, a variant payload. */
public final class GraphCodec {

    /** Graph payloads nest two levels deep; anything deeper is hostile. */
    private static final int RECURSION_LIMIT = 8;

    private GraphCodec() {
    }

    public static byte[] encode(Graph graph) {
        VariantGraph.Builder g = VariantGraph.newBuilder()
                .addAllInputs(graph.inputs())
                .addAllOutputs(graph.outputs());
        for (Tensor t : graph.tensors()) {
            TensorDef.Builder d = TensorDef.newBuilder()
                    .setName(t.name())
                    .setType(dev.pipit.protocol.v1.DataType.valueOf(t.type().name()))
                    .setConstant(t.isConstant());
            for (int dim : t.shape()) {
                d.addShape(dim);
            }
            Quantization q = t.quantization();
            if (q != null) {
                QuantizationDef.Builder qd = QuantizationDef.newBuilder().setAxis(q.axis());
                for (float s : q.scales()) {
                    qd.addScales(s);
                }
                for (int z : q.zeroPoints()) {
                    qd.addZeroPoints(z);
                }
                d.setQuantization(qd);
            }
            if (t.isConstant()) {
                d.setData(ByteString.copyFrom(t.data()));
            }
            g.addTensors(d);
        }
        for (Node n : graph.nodes()) {
            g.addNodes(NodeDef.newBuilder()
                    .setName(n.name())
                    .setOp(n.op().name())
                    .addAllInputs(n.inputs())
                    .addAllOutputs(n.outputs())
                    .putAllAttributes(n.attributes()));
        }
        return g.build().toByteArray();
    }

    /**
     * Parses a variant payload. Structural checks (tensor sizes, quantization, names) happen here;
     * whether the graph can run is checked by the runtime when it is loaded.
     *
     * @throws MalformedGraphException with the reason
     */
    public static Graph decode(byte[] payload) {
        VariantGraph g;
        try {
            CodedInputStream in = CodedInputStream.newInstance(payload);
            in.setRecursionLimit(RECURSION_LIMIT);
            g = VariantGraph.parseFrom(in);
        } catch (java.io.IOException e) {
            throw new MalformedGraphException("variant payload is not a graph: " + e.getMessage());
        }
        try {
            List<Tensor> tensors = new ArrayList<>(g.getTensorsCount());
            for (TensorDef d : g.getTensorsList()) {
                tensors.add(tensor(d));
            }
            List<Node> nodes = new ArrayList<>(g.getNodesCount());
            for (NodeDef d : g.getNodesList()) {
                nodes.add(new Node(d.getName(), op(d), d.getInputsList(), d.getOutputsList(), d.getAttributesMap()));
            }
            return new Graph(tensors, nodes, g.getInputsList(), g.getOutputsList());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new MalformedGraphException("malformed graph: " + e.getMessage());
        }
    }

    private static Tensor tensor(TensorDef d) {
        if (d.getType() == dev.pipit.protocol.v1.DataType.DATA_TYPE_UNSPECIFIED
                || d.getType() == dev.pipit.protocol.v1.DataType.UNRECOGNIZED) {
            throw new IllegalArgumentException("tensor " + d.getName() + " has no known data type");
        }
        int[] shape = d.getShapeList().stream().mapToInt(Integer::intValue).toArray();
        Quantization q = null;
        if (d.hasQuantization()) {
            QuantizationDef qd = d.getQuantization();
            float[] scales = new float[qd.getScalesCount()];
            for (int i = 0; i < scales.length; i++) {
                scales[i] = qd.getScales(i);
            }
            int[] zeroPoints = qd.getZeroPointsList().stream().mapToInt(Integer::intValue).toArray();
            q = new Quantization(scales, zeroPoints, qd.getAxis());
        }
        byte[] data = d.getConstant() ? d.getData().toByteArray() : null;
        return new Tensor(d.getName(), DataType.valueOf(d.getType().name()), shape, q, data);
    }

    private static OpType op(NodeDef d) {
        try {
            return OpType.valueOf(d.getOp());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node " + d.getName() + " has unknown operator '" + d.getOp() + "'");
        }
    }
}
