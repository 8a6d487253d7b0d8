package dev.pipit.protocol.graph;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.pipit.protocol.v1.Attribute;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
            NodeDef.Builder d = NodeDef.newBuilder()
                    .setName(n.name())
                    .setOp(n.op().name())
                    .addAllInputs(n.inputs())
                    .addAllOutputs(n.outputs());
            new TreeMap<>(n.attributes()).forEach((k, v) -> d.addAttributes(Attribute.newBuilder().setKey(k).setValue(v)));
            g.addNodes(d);
        }
        return g.build().toByteArray();
    }

    /** {@link #decode(byte[], GraphLimits)} with {@link GraphLimits#defaults()}. */
    public static Graph decode(byte[] payload) {
        return decode(payload, GraphLimits.defaults());
    }

    /**
     * Parses a variant payload. Counts and sizes are checked against {@code limits} on the parsed message,
     * before any tensor is built; structural checks (tensor sizes, quantization, names) follow. Whether the
     * graph can run is checked by the runtime when it is loaded.
     *
     * @throws MalformedGraphException with the reason; nothing else for any input
     */
    public static Graph decode(byte[] payload, GraphLimits limits) {
        VariantGraph g;
        try {
            CodedInputStream in = CodedInputStream.newInstance(payload);
            in.setRecursionLimit(RECURSION_LIMIT);
            g = VariantGraph.parseFrom(in);
        } catch (java.io.IOException e) {
            throw new MalformedGraphException("variant payload is not a graph: " + e.getMessage());
        }
        checkLimits(g, limits);
        try {
            List<Tensor> tensors = new ArrayList<>(g.getTensorsCount());
            for (TensorDef d : g.getTensorsList()) {
                tensors.add(tensor(d));
            }
            List<Node> nodes = new ArrayList<>(g.getNodesCount());
            for (NodeDef d : g.getNodesList()) {
                nodes.add(new Node(d.getName(), op(d), d.getInputsList(), d.getOutputsList(), attributes(d)));
            }
            return new Graph(tensors, nodes, g.getInputsList(), g.getOutputsList());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new MalformedGraphException("malformed graph: " + e.getMessage());
        }
    }

    private static void checkLimits(VariantGraph g, GraphLimits limits) {
        if (g.getTensorsCount() > limits.maxTensors() || g.getNodesCount() > limits.maxNodes()) {
            throw new MalformedGraphException("graph has " + g.getTensorsCount() + " tensors and " + g.getNodesCount()
                    + " nodes; at most " + limits.maxTensors() + " and " + limits.maxNodes() + " are allowed");
        }
        if (g.getInputsCount() > limits.maxNodeInputs() || g.getOutputsCount() > limits.maxNodeInputs()) {
            throw new MalformedGraphException("graph has " + g.getInputsCount() + " inputs and " + g.getOutputsCount()
                    + " outputs; at most " + limits.maxNodeInputs() + " each are allowed");
        }
        long activationBytes = 0;
        for (TensorDef d : g.getTensorsList()) {
            name("tensor", d.getName(), limits);
            if (d.getShapeCount() > limits.maxRank()) {
                throw new MalformedGraphException("tensor " + d.getName() + " has rank " + d.getShapeCount() + "; at most "
                        + limits.maxRank() + " is allowed");
            }
            long elements = 1;
            for (int i = 0; i < d.getShapeCount(); i++) {
                int dim = d.getShape(i);
                boolean batch = dim == -1 && i == 0 && !d.getConstant();
                if (!batch && (dim < 1 || dim > limits.maxDimension())) {
                    throw new MalformedGraphException("tensor " + d.getName() + " has dimension " + dim + " at axis " + i
                            + "; 1 to " + limits.maxDimension() + " are allowed (-1 only as an activation's batch axis)");
                }
                elements = batch ? elements : saturatedProduct(elements, dim);
                if (elements > limits.maxTensorElements()) {
                    throw new MalformedGraphException("tensor " + d.getName() + " has more than " + limits.maxTensorElements()
                            + " elements");
                }
            }
            int elementBytes = d.getType() == dev.pipit.protocol.v1.DataType.INT8 ? 1 : 4;
            if (d.getConstant()) {
                if (d.getData().size() != elements * elementBytes) {
                    throw new MalformedGraphException("constant " + d.getName() + " holds " + d.getData().size()
                            + " bytes; its shape and type need " + elements * elementBytes);
                }
            } else {
                if (!d.getData().isEmpty()) {
                    throw new MalformedGraphException("activation " + d.getName() + " carries constant data");
                }
                activationBytes += elements * elementBytes;
                if (activationBytes > limits.maxActivationBytesPerSample()) {
                    throw new MalformedGraphException("activations need more than " + limits.maxActivationBytesPerSample()
                            + " bytes per sample");
                }
            }
            if (d.hasQuantization()) {
                QuantizationDef q = d.getQuantization();
                if (q.getScalesCount() > limits.maxDimension() || q.getZeroPointsCount() > limits.maxDimension()) {
                    throw new MalformedGraphException("tensor " + d.getName() + " has more quantization parameters than "
                            + limits.maxDimension());
                }
                for (int i = 0; i < q.getScalesCount(); i++) {
                    float scale = q.getScales(i);
                    if (!(scale > 0f) || Float.isInfinite(scale)) {
                        throw new MalformedGraphException("tensor " + d.getName() + " has quantization scale " + scale
                                + "; scales are finite and positive");
                    }
                }
                if (d.getType() == dev.pipit.protocol.v1.DataType.INT8
                        && q.getZeroPointsList().stream().anyMatch(z -> z < -128 || z > 127)) {
                    throw new MalformedGraphException("int8 tensor " + d.getName() + " has a zero point outside [-128, 127]");
                }
            }
        }
        for (NodeDef n : g.getNodesList()) {
            name("node", n.getName(), limits);
            if (n.getInputsCount() > limits.maxNodeInputs() || n.getOutputsCount() > limits.maxNodeInputs()
                    || n.getAttributesCount() > limits.maxAttributes()) {
                throw new MalformedGraphException("node " + n.getName() + " has " + n.getInputsCount() + " inputs, "
                        + n.getOutputsCount() + " outputs and " + n.getAttributesCount() + " attributes; at most "
                        + limits.maxNodeInputs() + ", " + limits.maxNodeInputs() + " and " + limits.maxAttributes()
                        + " are allowed");
            }
            for (Attribute a : n.getAttributesList()) {
                if (a.getKey().length() > limits.maxNameLength() || a.getValue().length() > limits.maxNameLength()) {
                    throw new MalformedGraphException("node " + n.getName() + " has an attribute longer than "
                            + limits.maxNameLength() + " characters");
                }
            }
        }
    }

    private static Map<String, String> attributes(NodeDef d) {
        Map<String, String> attributes = new HashMap<>();
        for (Attribute a : d.getAttributesList()) {
            if (attributes.put(a.getKey(), a.getValue()) != null) {
                throw new MalformedGraphException("node " + d.getName() + " has attribute " + a.getKey() + " twice");
            }
        }
        return attributes;
    }

    private static long saturatedProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void name(String what, String name, GraphLimits limits) {
        if (name.length() > limits.maxNameLength()) {
            throw new MalformedGraphException(what + " name of " + name.length() + " characters; at most "
                    + limits.maxNameLength() + " are allowed");
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
