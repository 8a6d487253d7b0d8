package dev.pipit.compress.onnx.conformance;

import dev.pipit.compress.onnx.proto.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An ONNX backend node test: a folder with {@code model.onnx} and {@code test_data_set_*} folders of
 * {@code input_*.pb} / {@code output_*.pb} TensorProto files.
 */
public record NodeTestCase(String name, ModelProto model, List<DataSet> dataSets) {

    /** One set of inputs and expected outputs, in the graph's order. */
    public record DataSet(List<TestTensor> inputs, List<TestTensor> outputs) {

        public DataSet {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    public NodeTestCase {
        dataSets = List.copyOf(dataSets);
    }

    public static NodeTestCase load(Path dir) throws IOException {
        Path modelFile = dir.resolve("model.onnx");
        if (!Files.isRegularFile(modelFile)) {
            throw new IOException(dir + " holds no model.onnx");
        }
        ModelProto model;
        try (InputStream in = Files.newInputStream(modelFile)) {
            model = ModelProto.parseFrom(in);
        }
        List<DataSet> sets = new ArrayList<>();
        for (Path set : sorted(dir, "test_data_set_")) {
            sets.add(new DataSet(tensors(set, "input_"), tensors(set, "output_")));
        }
        if (sets.isEmpty()) {
            throw new IOException(dir + " holds no test_data_set_* folder");
        }
        return new NodeTestCase(dir.getFileName().toString(), model, sets);
    }

    private static List<TestTensor> tensors(Path set, String prefix) throws IOException {
        List<TestTensor> out = new ArrayList<>();
        for (Path p : sorted(set, prefix)) {
            out.add(TestTensor.read(p));
        }
        return out;
    }

    /** Entries named prefix + index, by index (input_10 after input_9). */
    private static List<Path> sorted(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .sorted((a, b) -> Integer.compare(index(a, prefix), index(b, prefix)))
                    .toList();
        }
    }

    private static int index(Path p, String prefix) {
        String n = p.getFileName().toString().substring(prefix.length());
        int dot = n.indexOf('.');
        return Integer.parseInt(dot < 0 ? n : n.substring(0, dot));
    }
}
