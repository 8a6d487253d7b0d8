package dev.pipit.compress.onnx;

import com.google.protobuf.ByteString;
import dev.pipit.compress.onnx.proto.AttributeProto;
import dev.pipit.compress.onnx.proto.GraphProto;
import dev.pipit.compress.onnx.proto.ModelProto;
import dev.pipit.compress.onnx.proto.NodeProto;
import dev.pipit.compress.onnx.proto.OperatorSetIdProto;
import dev.pipit.compress.onnx.proto.TensorProto;
import dev.pipit.compress.onnx.proto.TensorShapeProto;
import dev.pipit.compress.onnx.proto.TypeProto;
import dev.pipit.compress.onnx.proto.ValueInfoProto;
import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes an fp32 graph as a standard ONNX model (IR 7, opset 13): FLATTEN → Flatten, FULLY_CONNECTED →
 * Gemm with transB = 1, CONV_2D → Conv, MAX_POOL → MaxPool, AVERAGE_POOL → AveragePool,
 * GLOBAL_AVERAGE_POOL → GlobalAveragePool, ADD → Add (each followed by a Relu when one is fused),
 * RELU → Relu, SOFTMAX → Softmax. The batch dimension becomes the symbolic dimension {@code batch}.
 */
public final class OnnxExporter {

    static final int OPSET = 13;
    static final int IR_VERSION = 7;

    private OnnxExporter() {
    }

    /** Writes the model atomically (temporary file, then rename). */
    public static void write(Graph graph, Path out) throws IOException {
        byte[] bytes = toModel(graph).toByteArray();
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** @throws IllegalArgumentException if the graph is not fp32 or uses an operator ONNX export lacks */
    public static ModelProto toModel(Graph graph) {
        Map<String, Tensor> tensors = graph.tensorsByName();
        GraphProto.Builder g = GraphProto.newBuilder().setName("pipit");
        for (Tensor t : graph.tensors()) {
            if (t.type() != DataType.FLOAT32) {
                throw new IllegalArgumentException("ONNX export takes fp32 graphs; tensor " + t.name() + " is " + t.type());
            }
            if (t.isConstant()) {
                TensorProto.Builder init = TensorProto.newBuilder().setName(t.name())
                        .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(t.data()));
                for (int d : t.shape()) {
                    init.addDims(d);
                }
                g.addInitializer(init);
            }
        }
        for (Node n : graph.nodes()) {
            switch (n.op()) {
                case FLATTEN -> g.addNode(node(n.name(), "Flatten", n).addAttribute(intAttribute("axis", 1)));
                case RELU -> g.addNode(node(n.name(), "Relu", n));
                case SOFTMAX -> g.addNode(node(n.name(), "Softmax", n).addAttribute(intAttribute("axis", -1)));
                case FULLY_CONNECTED -> withRelu(g, n, node(n.name(), "Gemm", n)
                        .addAttribute(floatAttribute("alpha", 1f))
                        .addAttribute(floatAttribute("beta", 1f))
                        .addAttribute(intAttribute("transB", 1)));
                case CONV_2D -> {
                    if (!"dense".equals(n.attributes().getOrDefault("weight_format", "dense"))) {
                        throw new IllegalArgumentException("ONNX export takes dense weights; node " + n.name() + " is not");
                    }
                    int[] w = tensors.get(n.inputs().get(1)).shape();
                    withRelu(g, n, node(n.name(), "Conv", n)
                            .addAttribute(intsAttribute("kernel_shape", w[2], w[3]))
                            .addAttribute(intsAttribute("strides", ints(n, "strides", 1, 1)))
                            .addAttribute(intsAttribute("pads", ints(n, "pads", 0, 0, 0, 0)))
                            .addAttribute(intsAttribute("dilations", ints(n, "dilations", 1, 1)))
                            .addAttribute(intAttribute("group", Long.parseLong(n.attributes().getOrDefault("group", "1")))));
                }
                case MAX_POOL, AVERAGE_POOL -> {
                    NodeProto.Builder pool = node(n.name(), n.op() == OpType.MAX_POOL ? "MaxPool" : "AveragePool", n)
                            .addAttribute(intsAttribute("kernel_shape", ints(n, "kernel_shape")))
                            .addAttribute(intsAttribute("strides", ints(n, "strides", 1, 1)))
                            .addAttribute(intsAttribute("pads", ints(n, "pads", 0, 0, 0, 0)));
                    g.addNode(pool);
                }
                case GLOBAL_AVERAGE_POOL -> g.addNode(node(n.name(), "GlobalAveragePool", n));
                case ADD -> withRelu(g, n, node(n.name(), "Add", n));
                default -> throw new IllegalArgumentException("ONNX export does not support node " + n.name()
                        + " (" + n.op() + ")");
            }
        }
        for (String name : graph.inputs()) {
            g.addInput(valueInfo(tensors.get(name)));
        }
        for (String name : graph.outputs()) {
            g.addOutput(valueInfo(tensors.get(name)));
        }
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("pipit")
                .setProducerVersion("0.1")
                .setGraph(g)
                .build();
    }

    /** Adds {@code op}, and a Relu after it writing the node's output when the node fuses one. */
    private static void withRelu(GraphProto.Builder g, Node n, NodeProto.Builder op) {
        if (n.activation() == Activation.RELU) {
            String linear = n.outputs().get(0) + "/linear";
            op.setOutput(0, linear);
            g.addNode(op);
            g.addNode(NodeProto.newBuilder().setName(n.name() + "/relu").setOpType("Relu")
                    .addInput(linear).addOutput(n.outputs().get(0)));
        } else if (n.activation() == Activation.NONE) {
            g.addNode(op);
        } else {
            throw new IllegalArgumentException("ONNX export does not support activation " + n.activation() + " of node " + n.name());
        }
    }

    static long[] ints(Node n, String attribute, long... fallback) {
        String v = n.attributes().get(attribute);
        if (v == null) {
            if (fallback.length == 0) {
                throw new IllegalArgumentException("node " + n.name() + " lacks attribute " + attribute);
            }
            return fallback;
        }
        return java.util.Arrays.stream(v.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }

    private static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static NodeProto.Builder node(String name, String op, Node n) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(n.inputs()).addAllOutput(n.outputs());
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static ValueInfoProto valueInfo(Tensor t) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : t.shape()) {
            shape.addDim(d == -1
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(t.name())
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }
}
