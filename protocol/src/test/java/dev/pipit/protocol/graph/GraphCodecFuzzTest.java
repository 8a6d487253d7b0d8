package dev.pipit.protocol.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.testing.Bounded;
import dev.pipit.protocol.testing.Mutator;
import dev.pipit.protocol.v1.Attribute;
import dev.pipit.protocol.v1.DataType;
import dev.pipit.protocol.v1.NodeDef;
import dev.pipit.protocol.v1.QuantizationDef;
import dev.pipit.protocol.v1.TensorDef;
import dev.pipit.protocol.v1.VariantGraph;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.InvalidGraphException;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import dev.pipit.runtime.graph.OpType;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The device's load path on hostile payloads: {@link GraphCodec#decode} gives a graph or a
 * MalformedGraphException; {@link Interpreter#load} of a decoded graph gives an interpreter or an
 * InvalidGraphException; a loaded interpreter runs a sample. All within a deadline, nothing else thrown.
 */
class GraphCodecFuzzTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final byte[] INT8 = GraphCodec.encode(GraphCodecTest.smallInt8Graph());

    /** What one payload came to. */
    enum Outcome { MALFORMED, INVALID, RAN }

    static Outcome load(byte[] payload, int maxBatch) {
        Object r = Bounded.within(LIMIT, () -> {
            Graph g;
            try {
                g = GraphCodec.decode(payload);
            } catch (MalformedGraphException e) {
                return Outcome.MALFORMED;
            }
            try (Interpreter in = Interpreter.load(g, new RuntimeOptions(maxBatch, 1))) {
                in.run(new float[maxBatch * in.inputSize()], maxBatch, new float[maxBatch * in.outputSize()]);
                return Outcome.RAN;
            } catch (InvalidGraphException e) {
                return Outcome.INVALID;
            }
        });
        assertTrue(r instanceof Outcome, () -> "undocumented outcome " + r
                + (r instanceof Throwable t && t.getStackTrace().length > 0 ? " at " + t.getStackTrace()[0] : ""));
        return (Outcome) r;
    }

    @Property
    void decode_anyBytes_graphOrMalformed(@ForAll @Size(max = 2048) byte[] bytes) {
        load(bytes, 1);
    }

    @Property
    void load_damagedInt8Graph_documentedOutcome(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int mutations,
                                                 @ForAll @IntRange(min = 1, max = 4) int maxBatch) {
        Statistics.collect(load(Mutator.mutate(INT8, seed, mutations), maxBatch));
        Statistics.coverage(c -> c.check(Outcome.INVALID).percentage(p -> p > 1));
    }

    @Property
    void load_generatedGraph_documentedOutcome(@ForAll long seed) {
        Statistics.collect(load(generate(new Random(seed)).toByteArray(), 2));
        // the generator must get past the decoder to the runtime's validation often enough to test it
        Statistics.coverage(c -> {
            c.check(Outcome.INVALID).percentage(p -> p > 10);
            c.check(Outcome.RAN).percentage(p -> p > 10);
        });
    }

    /**
     * A plausible fp32 or int8 chain (fully connected layers, ReLU, softmax, quantize/dequantize) with a few
     * hostile edits: dimensions that are zero, negative, huge or mismatched; wrong types; constants whose data
     * does not fit; scales that are zero, NaN or infinite; zero points out of range; dangling, reordered
     * (cycles) or twice-written tensors; unknown operators and attributes.
     */
    static VariantGraph generate(Random r) {
        VariantGraph.Builder g = VariantGraph.newBuilder();
        int width = 1 + r.nextInt(6);
        boolean int8 = r.nextBoolean();
        g.addTensors(activation("x", DataType.FLOAT32, width, null));
        String last = "x";
        if (int8) {
            g.addTensors(activation("xq", DataType.INT8, width, quant(0.05f, -3)));
            g.addNodes(node("q", "QUANTIZE", List.of("x"), "xq"));
            last = "xq";
        }
        int layers = 1 + r.nextInt(3);
        for (int l = 0; l < layers; l++) {
            int out = 1 + r.nextInt(6);
            String w = "w" + l;
            String b = "b" + l;
            String y = "y" + l;
            if (int8) {
                byte[] weights = new byte[out * width];
                r.nextBytes(weights);
                g.addTensors(constant(w, DataType.INT8, new int[] {out, width}, weights, quant(0.01f, 0)));
                g.addTensors(constant(b, DataType.INT32, new int[] {out}, new byte[4 * out], quant(0.0005f, 0)));
                g.addTensors(activation(y, DataType.INT8, out, quant(0.1f, r.nextInt(11) - 5)));
            } else {
                g.addTensors(constant(w, DataType.FLOAT32, new int[] {out, width}, floats(r, out * width), null));
                g.addTensors(constant(b, DataType.FLOAT32, new int[] {out}, floats(r, out), null));
                g.addTensors(activation(y, DataType.FLOAT32, out, null));
            }
            NodeDef.Builder fc = node("fc" + l, "FULLY_CONNECTED", List.of(last, w, b), y).toBuilder();
            if (r.nextBoolean()) {
                fc.addAttributes(Attribute.newBuilder().setKey("activation").setValue("RELU"));
            }
            g.addNodes(fc);
            last = y;
            width = out;
        }
        if (int8) {
            g.addTensors(activation("y", DataType.FLOAT32, width, null));
            g.addNodes(node("dq", "DEQUANTIZE", List.of(last), "y"));
            last = "y";
        }
        if (r.nextBoolean()) {
            g.addTensors(activation("p", DataType.FLOAT32, width, null));
            g.addNodes(node("softmax", "SOFTMAX", List.of(last), "p"));
            last = "p";
        }
        g.addInputs("x").addOutputs(last);
        int edits = r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            edit(g, r);
        }
        return g.build();
    }

    private static void edit(VariantGraph.Builder g, Random r) {
        int t = r.nextInt(g.getTensorsCount());
        int n = r.nextInt(g.getNodesCount());
        TensorDef.Builder tensor = g.getTensorsBuilder(t);
        NodeDef.Builder node = g.getNodesBuilder(n);
        int[] dims = {0, -1, -7, 65536, 1 << 20, Integer.MAX_VALUE, 2, 3};
        float[] scales = {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, 1e-38f, 1e30f};
        switch (r.nextInt(14)) {
            case 0 -> {
                if (tensor.getShapeCount() > 0) {
                    tensor.setShape(r.nextInt(tensor.getShapeCount()), dims[r.nextInt(dims.length)]);
                }
            }
            case 1 -> tensor.addShape(dims[r.nextInt(dims.length)]);
            case 2 -> tensor.setType(DataType.values()[r.nextInt(4)]);
            case 3 -> tensor.setData(tensor.getData().concat(ByteString.copyFrom(new byte[1 + r.nextInt(4)])));
            case 4 -> tensor.setQuantization(quant(scales[r.nextInt(scales.length)], r.nextInt(600) - 300));
            case 5 -> tensor.setQuantization(tensor.getQuantization().toBuilder().setAxis(r.nextInt(6) - 2));
            case 6 -> node.setInputs(0, r.nextBoolean() ? "dangling" : g.getTensors(r.nextInt(g.getTensorsCount())).getName());
            case 7 -> node.setOutputs(0, g.getTensors(r.nextInt(g.getTensorsCount())).getName());
            case 8 -> {
                NodeDef moved = g.getNodes(n);
                g.removeNodes(n);
                g.addNodes(r.nextInt(g.getNodesCount() + 1), moved); // a node before its producer: a cycle in list form
            }
            case 9 -> node.setOp(r.nextBoolean() ? "CONV9D" : OpType.values()[r.nextInt(OpType.values().length)].name());
            case 10 -> node.addAttributes(Attribute.newBuilder().setKey(r.nextBoolean() ? "activation" : "axis")
                    .setValue(r.nextBoolean() ? "TANH" : "-9"));
            case 11 -> tensor.setConstant(!tensor.getConstant());
            case 12 -> g.addTensors(g.getTensors(t)); // declared twice
            default -> g.setOutputs(0, g.getTensors(t).getName());
        }
    }

    private static TensorDef activation(String name, DataType type, int width, QuantizationDef q) {
        TensorDef.Builder t = TensorDef.newBuilder().setName(name).setType(type).addShape(-1).addShape(width);
        return (q == null ? t : t.setQuantization(q)).build();
    }

    private static TensorDef constant(String name, DataType type, int[] shape, byte[] data, QuantizationDef q) {
        TensorDef.Builder t = TensorDef.newBuilder().setName(name).setType(type).setConstant(true).setData(ByteString.copyFrom(data));
        for (int d : shape) {
            t.addShape(d);
        }
        return (q == null ? t : t.setQuantization(q)).build();
    }

    private static QuantizationDef quant(float scale, int zeroPoint) {
        return QuantizationDef.newBuilder().addScales(scale).addZeroPoints(zeroPoint).setAxis(-1).build();
    }

    private static NodeDef node(String name, String op, List<String> inputs, String output) {
        return NodeDef.newBuilder().setName(name).setOp(op).addAllInputs(inputs).addOutputs(output).build();
    }

    private static byte[] floats(Random r, int n) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) r.nextGaussian());
        }
        return b.array();
    }
}
