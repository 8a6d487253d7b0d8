package dev.pipit.protocol.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.v1.DataType;
import dev.pipit.protocol.v1.TensorDef;
import dev.pipit.protocol.v1.VariantGraph;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Limits checked on the parsed payload before any tensor is built (CVE-2020-15211/15213-style inputs). */
class GraphLimitsTest {

    private static VariantGraph valid() {
        try {
            return VariantGraph.parseFrom(GraphCodec.encode(GraphCodecTest.smallInt8Graph()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static String reason(VariantGraph g, GraphLimits limits) {
        return assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(g.toByteArray(), limits)).getMessage();
    }

    private static String reason(VariantGraph g) {
        return reason(g, GraphLimits.defaults());
    }

    private static VariantGraph withTensor(int index, TensorDef t) {
        return valid().toBuilder().setTensors(index, t).build();
    }

    @Test
    void decode_tooManyTensors_refusedBeforeBuildingThem() {
        VariantGraph.Builder g = valid().toBuilder();
        for (int i = 0; i < 10; i++) {
            g.addTensors(TensorDef.newBuilder().setName("t" + i).setType(DataType.FLOAT32).addShape(1));
        }
        GraphLimits few = new GraphLimits(8, 8, 6, 1 << 20, 1 << 20, 1 << 20, 8, 4, 64);
        assertEquals("graph has 16 tensors and 3 nodes; at most 8 and 8 are allowed", reason(g.build(), few));
    }

    @Test
    void decode_hugeActivation_refusedBeforeTheArenaIsPlanned() {
        TensorDef big = valid().getTensors(4).toBuilder().clearShape().addShape(-1).addShape(1 << 20).addShape(1 << 10).build();
        assertTrue(reason(withTensor(4, big)).contains("has more than 67108864 elements"));
        TensorDef wide = valid().getTensors(4).toBuilder().clearShape().addShape(-1).addShape(1 << 20).addShape(32).build();
        assertEquals("activations need more than 16777216 bytes per sample", reason(withTensor(4, wide)));
    }

    @Test
    void decode_negativeOrZeroDimension_refused() {
        TensorDef neg = valid().getTensors(2).toBuilder().setShape(0, -3).build();
        assertTrue(reason(withTensor(2, neg)).startsWith("tensor w has dimension -3 at axis 0"));
        TensorDef batchConstant = valid().getTensors(2).toBuilder().setShape(0, -1).build();
        assertTrue(reason(withTensor(2, batchConstant)).startsWith("tensor w has dimension -1 at axis 0"));
    }

    @Test
    void decode_dimensionsOverflowingLong_refused() {
        TensorDef.Builder t = valid().getTensors(2).toBuilder().clearShape();
        for (int i = 0; i < 6; i++) {
            t.addShape(1 << 20);
        }
        GraphLimits wide = new GraphLimits(64, 64, 6, Integer.MAX_VALUE, Long.MAX_VALUE - 1, 1 << 20, 8, 4, 64);
        assertTrue(reason(withTensor(2, t.build()), wide).contains("elements"));
    }

    @Test
    void decode_constantDataNotMatchingShape_refusedBeforeCopying() {
        TensorDef w = valid().getTensors(2).toBuilder().setData(ByteString.copyFrom(new byte[5])).build();
        assertEquals("constant w holds 5 bytes; its shape and type need 6", reason(withTensor(2, w)));
    }

    @Test
    void decode_activationCarryingData_refused() {
        TensorDef x = valid().getTensors(1).toBuilder().setData(ByteString.copyFrom(new byte[3])).build();
        assertEquals("activation xq carries constant data", reason(withTensor(1, x)));
    }

    @Test
    void decode_nanScale_refused() {
        TensorDef xq = valid().getTensors(1);
        xq = xq.toBuilder().setQuantization(xq.getQuantization().toBuilder().setScales(0, Float.NaN)).build();
        assertEquals("tensor xq has quantization scale NaN; scales are finite and positive", reason(withTensor(1, xq)));
    }

    @Test
    void decode_int8ZeroPointOutOfRange_refused() {
        TensorDef xq = valid().getTensors(1);
        xq = xq.toBuilder().setQuantization(xq.getQuantization().toBuilder().setZeroPoints(0, 300)).build();
        assertEquals("int8 tensor xq has a zero point outside [-128, 127]", reason(withTensor(1, xq)));
    }

    @Test
    void decode_longName_refused() {
        TensorDef x = valid().getTensors(0).toBuilder().setName("x".repeat(300)).build();
        assertEquals("tensor name of 300 characters; at most 256 are allowed", reason(withTensor(0, x)));
    }

    @Test
    void decode_deeplyNestedGroups_refusedWithoutStackOverflow() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            b.write((99 << 3 | 3) & 0x7f | 0x80); // start group, field 99 (unknown: kept and parsed recursively)
            b.write((99 << 3 | 3) >>> 7);
        }
        MalformedGraphException e = assertThrows(MalformedGraphException.class, () -> GraphCodec.decode(b.toByteArray()));
        assertTrue(e.getMessage().startsWith("variant payload is not a graph"), e.getMessage());
    }
}
