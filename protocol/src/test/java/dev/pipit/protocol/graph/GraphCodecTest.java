package dev.pipit.protocol.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.v1.Attribute;
import dev.pipit.protocol.v1.NodeDef;
import dev.pipit.protocol.v1.TensorDef;
import dev.pipit.protocol.v1.VariantGraph;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.CompressedWeights;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.Node;
import dev.pipit.runtime.graph.OpType;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.graph.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphCodecTest {

    static Graph smallInt8Graph() {
        return new Graph(
                List.of(Tensor.activation("x", DataType.FLOAT32, new int[] {-1, 3}, null),
                        Tensor.activation("xq", DataType.INT8, new int[] {-1, 3}, Quantization.perTensor(0.02f, -5)),
                        Tensor.constant("w", new byte[] {1, -2, 3, 127, -127, 0}, Quantization.perChannel(new float[] {0.1f, 0.2f}, 0), 2, 3),
                        Tensor.constant("b", new int[] {7, -9}, Quantization.perChannel(new float[] {0.002f, 0.004f}, 0), 2),
                        Tensor.activation("yq", DataType.INT8, new int[] {-1, 2}, Quantization.perTensor(0.05f, 3)),
                        Tensor.activation("y", DataType.FLOAT32, new int[] {-1, 2}, null)),
                List.of(new Node("q", OpType.QUANTIZE, List.of("x"), List.of("xq")),
                        new Node("fc", OpType.FULLY_CONNECTED, List.of("xq", "w", "b"), List.of("yq"), Map.of("activation", "RELU")),
                        new Node("dq", OpType.DEQUANTIZE, List.of("yq"), List.of("y"))),
                List.of("x"), List.of("y"));
    }

    /** {@link #smallInt8Graph()} with its weights in the bitmap-sparse format. */
    static Graph bitmapGraph() {
        Graph dense = smallInt8Graph();
        Tensor w = dense.tensorsByName().get("w");
        List<Tensor> bitmap = CompressedWeights.bitmap(w);
        List<Tensor> tensors = new ArrayList<>(dense.tensors());
        tensors.remove(w);
        tensors.addAll(bitmap);
        List<Node> nodes = new ArrayList<>(dense.nodes());
        nodes.set(1, new Node("fc", OpType.FULLY_CONNECTED, List.of("xq", "w/mask", "w/values", "b"), List.of("yq"),
                Map.of("activation", "RELU", "weight_format", "bitmap")));
        return new Graph(tensors, nodes, dense.inputs(), dense.outputs());
    }

    private static float[] run(Graph g, float[] x) {
        try (Interpreter interpreter = Interpreter.load(g, RuntimeOptions.defaults())) {
            float[] y = new float[2];
            interpreter.run(x, 1, y);
            return y;
        }
    }

    @Test
    void decode_bitmapWeights_roundTripsAndRunsLikeDense() {
        Graph g = bitmapGraph();
        Graph decoded = GraphCodec.decode(GraphCodec.encode(g));
        assertEquals(g, decoded);
        float[] x = {0.3f, -0.7f, 1.1f};
        assertArrayEquals(run(smallInt8Graph(), x), run(decoded, x));
    }

    @Test
    void decode_bitmapMaskShorterThanShape_rejected() {
        VariantGraph g = parse(GraphCodec.encode(bitmapGraph()));
        int mask = indexOf(g, "w/mask");
        TensorDef truncated = g.getTensors(mask).toBuilder().setData(g.getTensors(mask).getData().substring(1)).build();
        byte[] bad = g.toBuilder().setTensors(mask, truncated).build().toByteArray();
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(bad));
        assertTrue(e.getMessage().contains("w/mask"), e.getMessage());
    }

    @Test
    void decode_bitmapMarkingMoreWeightsThanValues_decodesButLoadRejectsNamingNode() {
        VariantGraph g = parse(GraphCodec.encode(bitmapGraph()));
        int mask = indexOf(g, "w/mask");
        TensorDef marked = g.getTensors(mask).toBuilder().setData(ByteString.copyFrom(new byte[] {0b111, 0b111})).build();
        Graph decoded = GraphCodec.decode(g.toBuilder().setTensors(mask, marked).build().toByteArray());
        InvalidGraphException e = assertThrows(InvalidGraphException.class,
                () -> Interpreter.load(decoded, RuntimeOptions.defaults()).close());
        assertTrue(e.getMessage().startsWith("node fc (FULLY_CONNECTED): bitmap marks 6 weights but holds 5 values"),
                e.getMessage());
    }

    @Test
    void decode_bitmapValuesOfRankTwo_loadRejectsNamingTheTensor() {
        VariantGraph g = parse(GraphCodec.encode(bitmapGraph()));
        int values = indexOf(g, "w/values");
        TensorDef reshaped = g.getTensors(values).toBuilder().clearShape().addShape(5).addShape(1).build();
        Graph decoded = GraphCodec.decode(g.toBuilder().setTensors(values, reshaped).build().toByteArray());
        InvalidGraphException e = assertThrows(InvalidGraphException.class,
                () -> Interpreter.load(decoded, RuntimeOptions.defaults()).close());
        assertTrue(e.getMessage().contains("values w/values must be INT8 [-1], is INT8 [5, 1]"), e.getMessage());
    }

    private static VariantGraph parse(byte[] payload) {
        try {
            return VariantGraph.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static int indexOf(VariantGraph g, String tensor) {
        for (int i = 0; i < g.getTensorsCount(); i++) {
            if (g.getTensors(i).getName().equals(tensor)) {
                return i;
            }
        }
        throw new AssertionError("no tensor " + tensor);
    }

    private static VariantGraph encoded() {
        try {
            return VariantGraph.parseFrom(GraphCodec.encode(smallInt8Graph()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void decode_encodedGraph_returnsEqualGraph() {
        Graph g = smallInt8Graph();
        assertEquals(g, GraphCodec.decode(GraphCodec.encode(g)));
    }

    @Test
    void decode_garbage_throwsMalformed() {
        MalformedGraphException e = assertThrows(MalformedGraphException.class,
                () -> GraphCodec.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}));
        assertTrue(e.getMessage().contains("not a graph"), e.getMessage());
    }

    @Test
    void decode_unknownOperator_namesNodeAndOp() {
        VariantGraph g = encoded().toBuilder()
                .setNodes(1, encoded().getNodes(1).toBuilder().setOp("CONV9D"))
                .build();
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(g.toByteArray()));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("CONV9D"), e.getMessage());
    }

    @Test
    void decode_constantShorterThanShape_rejected() {
        VariantGraph g = encoded();
        TensorDef w = g.getTensors(2).toBuilder().addShape(1000).build();
        byte[] bad = g.toBuilder().setTensors(2, w).build().toByteArray();
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(bad));
        assertTrue(e.getMessage().contains("w"), e.getMessage());
    }

    @Test
    void decode_shapeOverflowingInt_rejected() {
        VariantGraph g = encoded();
        TensorDef w = g.getTensors(2).toBuilder().clearShape().addShape(Integer.MAX_VALUE).addShape(Integer.MAX_VALUE)
                .addShape(Integer.MAX_VALUE).build();
        byte[] bad = g.toBuilder().setTensors(2, w).build().toByteArray();
        assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(bad));
    }

    @Test
    void decode_zeroScale_rejected() {
        VariantGraph g = encoded();
        TensorDef xq = g.getTensors(1).toBuilder().setQuantization(g.getTensors(1).getQuantization().toBuilder().setScales(0, 0f)).build();
        byte[] bad = g.toBuilder().setTensors(1, xq).build().toByteArray();
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(bad));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }

    @Test
    void decode_attributeTwice_rejectedNamingNodeAndKey() {
        VariantGraph g = encoded();
        NodeDef fc = g.getNodes(1).toBuilder().addAttributes(Attribute.newBuilder().setKey("activation").setValue("TANH"))
                .build();
        byte[] bad = g.toBuilder().setNodes(1, fc).build().toByteArray();
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(bad));
        assertEquals("node fc has attribute activation twice", e.getMessage());
    }

    @Test
    void decode_attributesAsMapEntries_readsThem() {
        // what a map<string, string> field wrote: field 5, one length-delimited {1: key, 2: value} entry per pair
        byte[] entry = {0x0a, 0x01, 'a', 0x12, 0x02, '-', '1'};
        byte[] node = new byte[2 + entry.length];
        node[0] = 0x2a;
        node[1] = (byte) entry.length;
        System.arraycopy(entry, 0, node, 2, entry.length);
        NodeDef parsed = assertDoesNotThrow(() -> NodeDef.parseFrom(node));
        assertEquals(List.of(Attribute.newBuilder().setKey("a").setValue("-1").build()), parsed.getAttributesList());
    }
}
