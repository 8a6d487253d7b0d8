package dev.pipit.compress.onnx.conformance;

import dev.pipit.compress.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tensor of an ONNX test case, its elements widened to double (exact for every type read here).
 *
 * @param dataType the {@link TensorProto.DataType} number
 * @param dims the ONNX dimensions (empty for a scalar)
 */
public record TestTensor(int dataType, int[] dims, double[] values) {

    public TestTensor {
        dims = dims.clone();
        values = values.clone();
    }

    public static TestTensor read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(TensorProto.parseFrom(in));
        }
    }

    /** Decodes raw data or the typed fields; FLOAT, DOUBLE, (U)INT8, INT32 and INT64 only. */
    public static TestTensor decode(TensorProto t) {
        int[] dims = t.getDimsList().stream().mapToInt(Math::toIntExact).toArray();
        int count = 1;
        for (int d : dims) {
            count = Math.multiplyExact(count, d);
        }
        int type = t.getDataType();
        double[] v = new double[count];
        ByteBuffer raw = t.hasRawData() ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        for (int i = 0; i < count; i++) {
            v[i] = switch (type) {
                case TensorProto.DataType.FLOAT_VALUE -> raw != null ? raw.getFloat() : t.getFloatData(i);
                case TensorProto.DataType.DOUBLE_VALUE -> raw != null ? raw.getDouble() : t.getDoubleData(i);
                case TensorProto.DataType.UINT8_VALUE -> raw != null ? raw.get() & 0xff : t.getInt32Data(i);
                case TensorProto.DataType.INT8_VALUE -> raw != null ? raw.get() : t.getInt32Data(i);
                case TensorProto.DataType.INT32_VALUE -> raw != null ? raw.getInt() : t.getInt32Data(i);
                case TensorProto.DataType.INT64_VALUE -> raw != null ? raw.getLong() : t.getInt64Data(i);
                default -> throw new UnsupportedCaseException("tensor element type " + TensorProto.DataType.forNumber(type)
                        + " is not read by the conformance runner");
            };
        }
        return new TestTensor(type, dims, v);
    }

    public boolean isFloat() {
        return dataType == TensorProto.DataType.FLOAT_VALUE || dataType == TensorProto.DataType.DOUBLE_VALUE;
    }

    public boolean isUint8() {
        return dataType == TensorProto.DataType.UINT8_VALUE;
    }

    public int size() {
        return values.length;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }
}
