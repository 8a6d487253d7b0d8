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
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import dev.pipit.runtime.graph.WeightFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes an int8 graph as a QDQ ONNX model (opset 13), the form ONNX Runtime and TensorRT optimise:
 * every int8 activation becomes QuantizeLinear → DequantizeLinear with its scale and zero point around
 * fp32 operators; int8 weights are initializers dequantized per output channel (DequantizeLinear
 * {@code axis = 0}); int32 biases likewise at {@code inputScale · weightScale}. Fused ReLUs become Relu
 * nodes. Dense weights only (decode compressed ones first).
 */
public final class QdqExporter {

    private final Map<String, Tensor> tensors;
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("pipit-qdq");
    /** For each int8 tensor of the graph, the fp32 tensor holding its dequantized values. */
    private final Map<String, String> dequantized = new HashMap<>();

    private QdqExporter(Graph graph) {
        this.tensors = graph.tensorsByName();
    }

    /** @throws IllegalArgumentException for operators or weight formats QDQ export does not cover */
    public static ModelProto toModel(Graph int8) {
        return new QdqExporter(int8).build(int8);
    }

    private ModelProto build(Graph graph) {
        for (Node n : graph.nodes()) {
            switch (n.op()) {
                case QUANTIZE -> qdq(n.inputs().get(0), n.outputs().get(0));
                case DEQUANTIZE -> g.addNode(NodeProto.newBuilder().setName(n.name()).setOpType("Identity")
                        .addInput(fp32(n.inputs().get(0))).addOutput(n.outputs().get(0)));
                case FULLY_CONNECTED, CONV_2D -> layer(n);
                case MAX_POOL, AVERAGE_POOL, FLATTEN, RELU -> {
                    NodeProto.Builder op = NodeProto.newBuilder().setName(n.name()).addInput(fp32(n.inputs().get(0)))
                            .addOutput(n.outputs().get(0) + "/f");
                    switch (n.op()) {
                        case MAX_POOL, AVERAGE_POOL -> op.setOpType(n.op() == dev.pipit.runtime.graph.OpType.MAX_POOL ? "MaxPool" : "AveragePool")
                                .addAttribute(ints("kernel_shape", OnnxExporter.ints(n, "kernel_shape")))
                                .addAttribute(ints("strides", OnnxExporter.ints(n, "strides", 1, 1)))
                                .addAttribute(ints("pads", OnnxExporter.ints(n, "pads", 0, 0, 0, 0)));
                        case FLATTEN -> op.setOpType("Flatten").addAttribute(AttributeProto.newBuilder().setName("axis")
                                .setType(AttributeProto.AttributeType.INT).setI(1));
                        default -> op.setOpType("Relu");
                    }
                    g.addNode(op);
                    qdq(n.outputs().get(0) + "/f", n.outputs().get(0));
                }
                default -> throw new IllegalArgumentException("QDQ export does not support node " + n.name() + " (" + n.op() + ")");
            }
        }
        for (String name : graph.inputs()) {
            g.addInput(valueInfo(tensors.get(name)));
        }
        for (String name : graph.outputs()) {
            if (tensors.get(name).type() != DataType.FLOAT32) {
                throw new IllegalArgumentException("graph output " + name + " is not fp32");
            }
            g.addOutput(valueInfo(tensors.get(name)));
        }
        return ModelProto.newBuilder().setIrVersion(OnnxExporter.IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxExporter.OPSET))
                .setProducerName("pipit").setProducerVersion("0.1").setGraph(g).build();
    }

    /** fp32 {@code x} → QuantizeLinear → DequantizeLinear with int8 tensor {@code q}'s parameters. */
    private void qdq(String x, String q) {
        Quantization p = tensors.get(q).quantization();
        if (p == null || !p.isPerTensor()) {
            throw new IllegalArgumentException("activation " + q + " must be quantized per tensor");
        }
        String scale = q + "/scale";
        String zp = q + "/zero_point";
        g.addInitializer(floats(scale, new float[] {p.scale()}));
        g.addInitializer(int8s(zp, new byte[] {(byte) p.zeroPoint()}));
        g.addNode(NodeProto.newBuilder().setName(q + "/QuantizeLinear").setOpType("QuantizeLinear")
                .addInput(x).addInput(scale).addInput(zp).addOutput(q));
        g.addNode(NodeProto.newBuilder().setName(q + "/DequantizeLinear").setOpType("DequantizeLinear")
                .addInput(q).addInput(scale).addInput(zp).addOutput(q + "/dq"));
        dequantized.put(q, q + "/dq");
    }

    private String fp32(String tensor) {
        Tensor t = tensors.get(tensor);
        if (t.type() == DataType.FLOAT32) {
            return tensor;
        }
        String f = dequantized.get(tensor);
        if (f == null) {
            throw new IllegalArgumentException("int8 tensor " + tensor + " is read before it is computed");
        }
        return f;
    }

    private void layer(Node n) {
        if (WeightFormat.of(n) != WeightFormat.DENSE) {
            throw new IllegalArgumentException("QDQ export takes dense weights; node " + n.name() + " stores "
                    + WeightFormat.of(n).attribute());
        }
        Tensor w = tensors.get(n.inputs().get(1));
        if (w.type() != DataType.INT8) {
            throw new IllegalArgumentException("node " + n.name() + " is not int8");
        }
        String weight = dequantizeConstant(w);
        NodeProto.Builder op = NodeProto.newBuilder().setName(n.name()).addInput(fp32(n.inputs().get(0))).addInput(weight);
        if (n.inputs().size() > 2) {
            op.addInput(dequantizeConstant(tensors.get(n.inputs().get(2))));
        }
        String out = n.outputs().get(0);
        String linear = out + (n.activation() == Activation.NONE ? "/f" : "/linear");
        op.addOutput(linear);
        if (n.op() == dev.pipit.runtime.graph.OpType.FULLY_CONNECTED) {
            op.setOpType("Gemm").addAttribute(AttributeProto.newBuilder().setName("transB")
                    .setType(AttributeProto.AttributeType.INT).setI(1));
        } else {
            int[] s = w.shape();
            op.setOpType("Conv")
                    .addAttribute(ints("kernel_shape", s[2], s[3]))
                    .addAttribute(ints("strides", OnnxExporter.ints(n, "strides", 1, 1)))
                    .addAttribute(ints("pads", OnnxExporter.ints(n, "pads", 0, 0, 0, 0)))
                    .addAttribute(ints("dilations", OnnxExporter.ints(n, "dilations", 1, 1)))
                    .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT)
                            .setI(Long.parseLong(n.attributes().getOrDefault("group", "1"))));
        }
        g.addNode(op);
        switch (n.activation()) {
            case NONE -> { }
            case RELU -> g.addNode(NodeProto.newBuilder().setName(n.name() + "/relu").setOpType("Relu")
                    .addInput(linear).addOutput(out + "/f"));
            default -> throw new IllegalArgumentException("QDQ export does not support activation " + n.activation());
        }
        qdq(out + "/f", out);
    }

    /** An int8 or int32 constant as an initializer followed by DequantizeLinear (per axis 0 when per-channel). */
    private String dequantizeConstant(Tensor t) {
        Quantization q = t.quantization();
        boolean perChannel = !q.isPerTensor();
        TensorProto.Builder data = TensorProto.newBuilder().setName(t.name() + "/quantized").setRawData(ByteString.copyFrom(t.data()))
                .setDataType(t.type() == DataType.INT8 ? TensorProto.DataType.INT8_VALUE : TensorProto.DataType.INT32_VALUE);
        for (int d : t.shape()) {
            data.addDims(d);
        }
        g.addInitializer(data);
        float[] scales = q.scales();
        g.addInitializer(perChannel ? floats(t.name() + "/scale", scales, scales.length) : floats(t.name() + "/scale", scales));
        int[] zeroPoints = q.zeroPoints();
        if (t.type() == DataType.INT8) {
            byte[] z = new byte[zeroPoints.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = (byte) zeroPoints[i];
            }
            g.addInitializer(perChannel ? int8s(t.name() + "/zero_point", z, z.length) : int8s(t.name() + "/zero_point", z));
        } else {
            ByteBuffer b = ByteBuffer.allocate(4 * zeroPoints.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(zeroPoints);
            TensorProto.Builder z = TensorProto.newBuilder().setName(t.name() + "/zero_point")
                    .setDataType(TensorProto.DataType.INT32_VALUE).setRawData(ByteString.copyFrom(b.array()));
            if (perChannel) {
                z.addDims(zeroPoints.length);
            }
            g.addInitializer(z);
        }
        NodeProto.Builder dq = NodeProto.newBuilder().setName(t.name() + "/DequantizeLinear").setOpType("DequantizeLinear")
                .addInput(t.name() + "/quantized").addInput(t.name() + "/scale").addInput(t.name() + "/zero_point")
                .addOutput(t.name());
        if (perChannel) {
            dq.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(q.axis()));
        }
        g.addNode(dq);
        return t.name();
    }

    private static TensorProto floats(String name, float[] values, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static TensorProto int8s(String name, byte[] values, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT8_VALUE)
                .setRawData(ByteString.copyFrom(values));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(Tensor t) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : t.shape()) {
            shape.addDim(d == -1 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(t.name()).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
