package dev.pipit.compress.evaluate;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.Arrays;

/** Measures a graph with the runtime interpreter: accuracy, cost, memory and latency. */
public final class Evaluator {

    /** Samples per interpreter call when measuring accuracy. */
    public static final int ACCURACY_BATCH = 100;
    private static final int LATENCY_WARMUP = 300;
    private static final int LATENCY_ITERATIONS = 1000;

    private Evaluator() {
    }

    public static Evaluation evaluate(Graph graph, LabeledImages images) {
        double accuracy;
        try (Interpreter batched = Interpreter.load(graph, new RuntimeOptions(ACCURACY_BATCH, 1))) {
            accuracy = accuracy(batched, images, ACCURACY_BATCH);
        }
        try (Interpreter single = Interpreter.load(graph, new RuntimeOptions(1, 1))) {
            int n = Math.min(images.count(), 100);
            float[] inputs = new float[n * images.imageSize()];
            images.copyImages(0, n, inputs, 0);
            Latency latency = Latency.measure(single, inputs, 1, LATENCY_WARMUP, LATENCY_ITERATIONS);
            return new Evaluation(accuracy, images.count(), Macs.perSample(graph), single.weightBytes(),
                    graph.weightBytes(), single.arenaBytes(), latency.p50Micros());
        }
    }

    /** Fraction of {@code images} whose argmax output equals the label, run {@code batch} at a time. */
    public static double accuracy(Interpreter interpreter, LabeledImages images, int batch) {
        return accuracy(predict(interpreter, images, batch), images);
    }

    /** Fraction of {@code predicted} classes that equal {@code images}' labels, in order. */
    public static double accuracy(int[] predicted, LabeledImages images) {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == images.label(i)) {
                correct++;
            }
        }
        return (double) correct / images.count();
    }

    /** The argmax class of every image, {@code batch} (at most the interpreter's maxBatch) at a time. */
    public static int[] predict(Interpreter interpreter, LabeledImages images, int batch) {
        int classes = interpreter.outputSize();
        int[] predicted = new int[images.count()];
        float[] in = new float[batch * images.imageSize()];
        float[] out = new float[batch * classes];
        for (int start = 0; start < images.count(); start += batch) {
            int n = Math.min(batch, images.count() - start);
            float[] input = n == batch ? in : new float[n * images.imageSize()];
            float[] output = n == batch ? out : new float[n * classes];
            images.copyImages(start, n, input, 0);
            interpreter.run(input, n, output);
            for (int b = 0; b < n; b++) {
                predicted[start + b] = argmax(output, b * classes, classes);
            }
        }
        return predicted;
    }

    /** The argmax class of each of {@code count} row-major float images (e.g. adversarial ones), {@code batch} at a time. */
    public static int[] predict(Interpreter interpreter, float[] images, int count, int batch) {
        int size = interpreter.inputSize();
        int classes = interpreter.outputSize();
        int[] predicted = new int[count];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            float[] out = new float[n * classes];
            interpreter.run(Arrays.copyOfRange(images, start * size, (start + n) * size), n, out);
            for (int b = 0; b < n; b++) {
                predicted[start + b] = argmax(out, b * classes, classes);
            }
        }
        return predicted;
    }

    public static int argmax(float[] values, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
