package dev.pipit.compress.command;

import dev.pipit.compress.onnx.OnnxExporter;
import dev.pipit.compress.onnx.QdqExporter;
import dev.pipit.runtime.graph.DataType;
import dev.pipit.runtime.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit export-onnx}: a bundled variant as a standard ONNX model (QDQ for int8 variants). */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = "Write a bundled variant as ONNX: fp32 as plain operators, int8 as a QDQ model "
                + "(QuantizeLinear/DequantizeLinear around fp32 operators, per-channel int8 weights).")
public final class ExportOnnxCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, description = "Bundle file.")
    Path bundle;

    @Option(names = "--variant", required = true, description = "Variant id (see 'pipit inspect'), e.g. int8.")
    String variant;

    @Option(names = "--out", required = true, description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Graph graph = BundleInput.graph(BundleInput.open(bundle), variant);
        boolean quantized = graph.tensors().stream().anyMatch(t -> t.type() == DataType.INT8);
        byte[] model = (quantized ? QdqExporter.toModel(graph) : OnnxExporter.toModel(graph)).toByteArray();
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            Files.write(tmp, model);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        System.out.println("wrote " + out + " (" + variant + (quantized ? ", QDQ int8" : ", fp32") + ", " + model.length + " bytes)");
        return 0;
    }
}
