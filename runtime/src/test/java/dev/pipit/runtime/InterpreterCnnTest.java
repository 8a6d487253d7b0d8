package dev.pipit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The int8 CNN of {@link Int8Cnn} through the interpreter, against its naive evaluation. */
class InterpreterCnnTest {

    static float[] randomInput(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    @Test
    void run_int8Cnn_matchesNaiveReferenceBitExact() {
        Int8Cnn cnn = Int8Cnn.random(91);
        SplittableRandom random = new SplittableRandom(92);
        for (int threads : new int[] {1, 2}) {
            try (Interpreter interpreter = Interpreter.load(cnn.graph(), new RuntimeOptions(3, threads))) {
                assertEquals(Int8Cnn.INPUT, interpreter.inputSize());
                assertEquals(Int8Cnn.OUTPUT, interpreter.outputSize());
                for (int batch = 1; batch <= 3; batch++) {
                    float[] x = randomInput(random, batch * Int8Cnn.INPUT);
                    float[] y = new float[batch * Int8Cnn.OUTPUT];
                    interpreter.run(x, batch, y);
                    assertArrayEquals(cnn.reference(x, batch), y, "threads " + threads + " batch " + batch);
                    for (int b = 0; b < batch; b++) {
                        double sum = 0;
                        for (int c = 0; c < 10; c++) {
                            sum += y[b * 10 + c];
                        }
                        assertEquals(1.0, sum, 0.03, "probabilities of sample " + b + ": " + Arrays.toString(y));
                    }
                    assertTrue(IntStream.range(0, y.length).mapToObj(i -> y[i]).distinct().count() > y.length / 2,
                            "outputs should spread, not saturate: " + Arrays.toString(y));
                }
            }
        }
    }

    @Test
    void weightBytes_int8Cnn_countsCompressedWeightsAsStored() {
        Int8Cnn cnn = Int8Cnn.random(93);
        try (Interpreter interpreter = Interpreter.load(cnn.graph(), RuntimeOptions.defaults())) {
            assertEquals(cnn.weightBytes(), interpreter.weightBytes());
        }
    }

    @Test
    void arenaBytes_int8Cnn_reusesBuffersAndGrowsWithBatch() {
        Int8Cnn cnn = Int8Cnn.random(94);
        long one, four;
        try (Interpreter interpreter = Interpreter.load(cnn.graph(), new RuntimeOptions(1, 1))) {
            one = interpreter.arenaBytes();
        }
        try (Interpreter interpreter = Interpreter.load(cnn.graph(), new RuntimeOptions(4, 1))) {
            four = interpreter.arenaBytes();
        }
        // Largest live set at batch 1: q0 (128) + c1 (512) while conv 1 runs, plus its scratch: the tap-major
        // tile (18 taps × 128 pixels: 7 rows at the padded pitch 10 + 8 = 78, in 64-pixel blocks), the padded
        // input (2 × 10 × 10) and the output tile (8 × 128).
        long activations = 128 + 512 + 128 + 128 + 128 + 192 + 48 + 12 + 10 + 10;
        long scratch = 18 * 128 + 2 * 10 * 10 + 8 * 128;
        assertTrue(one >= 128 + 512 + scratch, "arena " + one + " below the live set of conv 1");
        assertTrue(one < activations + scratch, "arena " + one + " reuses nothing");
        assertTrue(four > one && four < 4 * one + scratch, "batch 4 arena " + four + " vs batch 1 " + one);
    }
}
