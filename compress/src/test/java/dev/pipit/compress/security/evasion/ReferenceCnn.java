package dev.pipit.compress.security.evasion;

import dev.pipit.compress.TestData;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.evaluate.Evaluator;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import dev.pipit.runtime.graph.Graph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The PyTorch-trained reference CNN and a few test images, for attack tests. */
final class ReferenceCnn {

    private ReferenceCnn() {
    }

    static Graph graph() {
        try {
            return OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh trainable copy (attacks keep scratch in the layers). */
    static Network network() {
        return GraphLowering.fromGraph(graph());
    }

    static LabeledImages images(int n) {
        return TestData.test().slice(0, n);
    }

    static int[] labels(LabeledImages images) {
        int[] labels = new int[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = images.label(i);
        }
        return labels;
    }

    /** Fraction of {@code images} (row-major) the network classifies as {@code labels}. */
    static double accuracy(Backprop model, float[] images, int[] labels) {
        int size = model.network().inputSize();
        int classes = model.network().outputSize();
        int correct = 0;
        for (int start = 0; start < labels.length; start += model.capacity()) {
            int n = Math.min(model.capacity(), labels.length - start);
            float[] x = Arrays.copyOfRange(images, start * size, (start + n) * size);
            float[] logits = model.logits(x, n);
            for (int b = 0; b < n; b++) {
                correct += Evaluator.argmax(logits, b * classes, classes) == labels[start + b] ? 1 : 0;
            }
        }
        return (double) correct / labels.length;
    }
}
