package dev.pipit.runtime.graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor declared in a graph: an activation (no data) or a constant (weights, bias).
 *
 * @param name unique within the graph
 * @param type element type
 * @param shape dimensions; -1 only in the first (batch) dimension of graph inputs and activations
 * @param quantization affine quantization for INT8/INT32 tensors, or null for FLOAT32
 * @param data constant contents, little-endian, exactly {@code elementCount * type.bytes()} bytes; null
 *     for activations
 */
public record Tensor(String name, DataType type, int[] shape, Quantization quantization, byte[] data) {

    public Tensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if (type == null) {
            throw new IllegalArgumentException("tensor " + name + " has no type");
        }
        shape = shape.clone();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0 || shape[i] < -1 || (shape[i] == -1 && (i != 0 || data != null))) {
                throw new IllegalArgumentException(
                        "tensor " + name + " has invalid shape " + Arrays.toString(shape)
                                + " (dimensions are positive; -1 only as the batch dimension of an activation)");
            }
        }
        if (quantization != null && quantization.axis() >= shape.length) {
            throw new IllegalArgumentException("tensor " + name + " quantization axis " + quantization.axis()
                    + " is outside its rank " + shape.length);
        }
        if (quantization != null && !quantization.isPerTensor()
                && quantization.scales().length != shape[quantization.axis()]) {
            throw new IllegalArgumentException("tensor " + name + " has " + quantization.scales().length
                    + " channel scales for dimension of size " + shape[quantization.axis()]);
        }
        if (data != null) {
            long expected = Math.multiplyExact(elementCount(shape), type.bytes());
            if (data.length != expected) {
                throw new IllegalArgumentException("tensor " + name + " declares " + expected
                        + " bytes of data but holds " + data.length);
            }
            data = data.clone();
        }
    }

    /** An activation tensor: computed at run time. */
    public static Tensor activation(String name, DataType type, int[] shape, Quantization quantization) {
        return new Tensor(name, type, shape, quantization, null);
    }

    public static Tensor constant(String name, float[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DataType.FLOAT32, shape, null, b.array());
    }

    public static Tensor constant(String name, byte[] values, Quantization quantization, int... shape) {
        return new Tensor(name, DataType.INT8, shape, quantization, values);
    }

    public static Tensor constant(String name, int[] values, Quantization quantization, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new Tensor(name, DataType.INT32, shape, quantization, b.array());
    }

    public boolean isConstant() {
        return data != null;
    }

    /** Number of elements; the batch dimension -1 counts as 1. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** Elements of one sample of an activation: the product of the dimensions after the first (batch). */
    public long elementsPerSample() {
        return elementCount(Arrays.copyOfRange(shape, Math.min(1, shape.length), shape.length));
    }

    /** Bytes the constant data occupies (0 for activations). */
    public long dataBytes() {
        return data == null ? 0 : data.length;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** The constant as floats (FLOAT32 only). */
    public float[] floats() {
        requireConstant(DataType.FLOAT32);
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** The constant as ints (INT32 only). */
    public int[] ints() {
        requireConstant(DataType.INT32);
        int[] out = new int[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    /** The constant as bytes (INT8 only). */
    public byte[] bytes() {
        requireConstant(DataType.INT8);
        return data.clone();
    }

    private void requireConstant(DataType expected) {
        if (data == null || type != expected) {
            throw new IllegalStateException("tensor " + name + " is not a " + expected + " constant");
        }
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d == -1 ? 1 : d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && java.util.Objects.equals(quantization, t.quantization) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + type + " " + Arrays.toString(shape)
                + (quantization == null ? "" : " " + quantization) + (data == null ? "" : " const") + "]";
    }
}
