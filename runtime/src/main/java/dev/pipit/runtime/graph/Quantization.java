package dev.pipit.runtime.graph;

import java.util.Arrays;

/**
 * Affine quantization, TFLite convention: {@code real = (q - zeroPoint) * scale}.
 *
 * @param scales one per tensor ({@code axis == -1}) or one per slice along {@code axis}
 * @param zeroPoints same length as {@code scales}
 * @param axis the channel axis, or -1 for per-tensor quantization
 */
public record Quantization(float[] scales, int[] zeroPoints, int axis) {

    public Quantization {
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(
                    "quantization needs as many zero points as scales, at least one: "
                            + scales.length + " scales, " + zeroPoints.length + " zero points");
        }
        if (axis < -1) {
            throw new IllegalArgumentException("quantization axis must be -1 or a dimension, was " + axis);
        }
        if (axis == -1 && scales.length != 1) {
            throw new IllegalArgumentException("per-tensor quantization has one scale, got " + scales.length);
        }
        for (float s : scales) {
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("quantization scale must be finite and positive, was " + s);
            }
        }
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
    }

    public static Quantization perTensor(float scale, int zeroPoint) {
        return new Quantization(new float[] {scale}, new int[] {zeroPoint}, -1);
    }

    /** Symmetric per-channel quantization (zero points 0), as used for int8 weights. */
    public static Quantization perChannel(float[] scales, int axis) {
        return new Quantization(scales, new int[scales.length], axis);
    }

    public boolean isPerTensor() {
        return axis == -1;
    }

    public float scale() {
        return scales[0];
    }

    public int zeroPoint() {
        return zeroPoints[0];
    }

    @Override
    public float[] scales() {
        return scales.clone();
    }

    @Override
    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantization q && axis == q.axis
                && Arrays.equals(scales, q.scales) && Arrays.equals(zeroPoints, q.zeroPoints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + axis;
    }

    @Override
    public String toString() {
        return "Quantization[scales=" + Arrays.toString(scales) + ", zeroPoints="
                + Arrays.toString(zeroPoints) + ", axis=" + axis + "]";
    }
}
