package dev.pipit.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.runtime.graph.Activation;
import dev.pipit.runtime.graph.Quantization;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Int8FullyConnectedTest {

    static Stream<VectorKernels> implementations() {
        return Stream.of(new ScalarKernels(), new PanamaKernels());
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void run_randomLayers_matchNaiveReferenceBitExact(VectorKernels kernels) {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            int in = random.nextInt(1, 300), out = random.nextInt(1, 40), batch = random.nextInt(1, 4);
            byte[] w = new byte[out * in];
            byte[] x = new byte[batch * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) random.nextInt(-127, 128);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (byte) random.nextInt(-128, 128);
            }
            boolean perChannel = random.nextBoolean();
            float[] weightScales = new float[perChannel ? out : 1];
            for (int c = 0; c < weightScales.length; c++) {
                weightScales[c] = (float) random.nextDouble(0.001, 0.02);
            }
            int[] bias = random.nextBoolean() ? null : random.ints(out, -20_000, 20_000).toArray();
            float inScale = (float) random.nextDouble(0.005, 0.05), outScale = (float) random.nextDouble(0.01, 0.5);
            int inZp = random.nextInt(-128, 128), outZp = random.nextInt(-128, 128);
            boolean relu = random.nextBoolean();

            Int8FullyConnected fc = new Int8FullyConnected(kernels, w, out, in,
                    perChannel ? Quantization.perChannel(weightScales, 0) : Quantization.perTensor(weightScales[0], 0),
                    bias, Quantization.perTensor(inScale, inZp), Quantization.perTensor(outScale, outZp),
                    relu ? Activation.RELU : Activation.NONE);
            byte[] y = new byte[batch * out + 5];
            int[] acc = new int[out];
            int split = random.nextInt(0, out + 1); // as two threads would split the channels
            fc.run(x, 0, y, 5, batch, 0, split, acc);
            fc.run(x, 0, y, 5, batch, split, out, acc);

            byte[] expected = NaiveInt8FullyConnected.run(x, batch, w, out, in, weightScales, bias,
                    inScale, inZp, outScale, outZp, relu);
            assertArrayEquals(expected, Arrays.copyOfRange(y, 5, y.length), kernels.name() + " trial " + trial);
            assertEquals(w.length + 4L * out, fc.weightBytes());
        }
    }
}
