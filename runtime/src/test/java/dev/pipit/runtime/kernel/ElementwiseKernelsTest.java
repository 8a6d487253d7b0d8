package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Quantization;
import org.junit.jupiter.api.Test;

/** RELU, SOFTMAX and DEQUANTIZE: small enough to check by hand. */
class ElementwiseKernelsTest {

    @Test
    void relu_inPlace_zeroesNegatives() {
        float[] x = {-1f, 0f, 2.5f, -0f};
        Relu.apply(x, 0, x, 0, x.length);
        assertArrayEquals(new float[] {0f, 0f, 2.5f, 0f}, x);
    }

    @Test
    void int8Relu_sameQuantization_isMaxWithZeroPoint() {
        byte[] x = {-128, -6, -5, 0, 127};
        new Int8Relu(Quantization.perTensor(0.1f, -5), Quantization.perTensor(0.1f, -5)).apply(x, 0, x, 0, x.length);
        assertArrayEquals(new byte[] {-5, -5, -5, 0, 127}, x);
    }

    @Test
    void int8Relu_halvedScale_requantizes() {
        byte[] x = {10, 11, -3, 100};
        byte[] y = new byte[4];
        // real = 0.5 · (x − 0); output scale 1, zero point 2: y = 2 + round(x / 2), at least 2.
        new Int8Relu(Quantization.perTensor(0.5f, 0), Quantization.perTensor(1f, 2)).apply(x, 0, y, 0, 4);
        assertArrayEquals(new byte[] {7, 8, 2, 52}, y);
    }

    @Test
    void softmax_rows_sumToOneAndMatchHandValues() {
        float[] x = {0f, (float) Math.log(3), 1000f, 1000f};
        Softmax.apply(x, 0, x, 0, 2, 2);
        assertArrayEquals(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, x, 1e-6f);
    }

    @Test
    void dequantize_values_areScaleTimesOffset() {
        float[] y = new float[3];
        new Dequantize(Quantization.perTensor(0.5f, -10)).apply(new byte[] {-10, -8, 127}, 0, y, 0, 3);
        assertArrayEquals(new float[] {0f, 1f, 68.5f}, y);
        assertEquals(3, y.length);
    }
}
