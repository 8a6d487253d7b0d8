package dev.pipit.compress.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.kernel.Quantize;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quantization-aware training sees exactly the values the exporter and the runtime will use. */
class FakeQuantTest {

    @Test
    void forward_halvesAndRandomValues_roundLikeTheRuntimesQuantize() {
        float scale = 0.05f;
        int zeroPoint = -3;
        float[] x = new float[1000];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) { // every other value an exact half step, where the rounding rules differ
            x[i] = i % 2 == 0 ? (random.nextInt(200) - 100 + 0.5f) * scale : (float) random.nextGaussian() * 5;
        }
        float[] y = new float[x.length];
        new FakeQuant(new int[] {x.length}, scale, zeroPoint).forward(x, y, 0, 1);
        byte[] q = new byte[x.length];
        new Quantize(Quantization.perTensor(scale, zeroPoint)).apply(x, 0, q, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals((q[i] - zeroPoint) * scale, y[i], 0f, "x = " + x[i]);
        }
    }

    @Test
    void fakeQuantWeights_equalTheExportersDequantizedInt8() {
        Random random = new Random(8);
        int rows = 6, cols = 50;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) { // halves of the grid included: the scale is 127 / 127 = 1 in row 0
            w[i] = i < cols ? (i % 2 == 0 ? 127f : i - 25.5f) : (float) random.nextGaussian() * 0.1f;
        }
        Dense layer = new Dense(cols, rows, w.clone(), new float[rows]);
        layer.setFakeQuant(true);
        byte[] q = new byte[w.length];
        float[] scales = WeightQuantizer.perChannel().quantize(w, rows, cols, q);
        float[] expected = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            expected[i] = q[i] * scales[i / cols];
        }
        assertArrayEquals(expected, layer.effective, 0f);
    }
}
