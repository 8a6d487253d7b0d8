package dev.pipit.compress.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipit.compress.OnnxRuntimeOracle;
import dev.pipit.compress.TestData;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.protocol.bundle.KeyFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    /** Runs a command, returning its stdout; fails the test on a non-zero exit. */
    private static String run(Object command, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(command).execute(args);
            assertEquals(0, code, "exit code of " + String.join(" ", args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @BeforeAll
    static void keysAndBundle() {
        run(new KeysCommand(), "generate", "--out", dir.resolve("keys").toString());
        run(new CompressCommand(), "--onnx", TestData.model("mlp_fp32.onnx").toString(), "--calib", "fashion-mnist",
                "--key", dir.resolve("keys/signing.key").toString(), "--out", dir.resolve("mlp.pipit").toString(),
                "--model-id", "fashion-mlp", "--version", "2", "--report", dir.resolve("report").toString());
    }

    @Test
    void keysGenerate_outDir_writesAPairThatBelongsTogether() throws Exception {
        var pair = KeyFiles.readSigningKey(dir.resolve("keys/signing.key"));
        assertEquals(KeyFiles.keyId(pair.getPublic()), KeyFiles.keyId(KeyFiles.readPublic(dir.resolve("keys/signing.pub"))));
    }

    @Test
    void keysGenerate_existingKey_refusesToOverwrite() throws Exception {
        String before = Files.readString(dir.resolve("keys/signing.key"));
        int code = new CommandLine(new KeysCommand()).execute("generate", "--out", dir.resolve("keys").toString());
        assertNotEquals(0, code);
        assertEquals(before, Files.readString(dir.resolve("keys/signing.key")));
    }

    @Test
    void inspect_json_listsBothVariantsWithEvidence() throws Exception {
        JsonNode doc = JSON.readTree(run(new InspectCommand(), "--bundle", dir.resolve("mlp.pipit").toString(), "--json",
                "--trust", dir.resolve("keys/signing.pub").toString()));
        assertEquals("fashion-mlp", doc.get("modelId").asText());
        assertEquals(2, doc.get("version").asLong());
        assertTrue(doc.get("signatureVerified").asBoolean());
        JsonNode fp32 = doc.get("variants").get(0);
        JsonNode int8 = doc.get("variants").get(1);
        assertEquals("fp32", fp32.get("id").asText());
        assertEquals("int8", int8.get("id").asText());
        assertEquals(0.8765, fp32.get("accuracy").asDouble(), 0.001);
        assertEquals(4L * 235_146, fp32.get("weightBytes").asLong());
        assertTrue(int8.get("weightBytes").asLong() < fp32.get("weightBytes").asLong() / 3, int8.toString());
        assertEquals(234_752, int8.get("macs").asLong());
        assertEquals(64, int8.get("sha256").asText().length());
        assertTrue(int8.get("plannedPeakBytes").asLong() > 0);
        assertTrue(int8.get("payloadBytes").asLong() > int8.get("weightBytes").asLong());
    }

    @Test
    void eval_int8Variant_matchesTheDeclaredAccuracy() throws Exception {
        JsonNode doc = JSON.readTree(run(new EvalCommand(), "--bundle", dir.resolve("mlp.pipit").toString(),
                "--variant", "int8", "--dataset", "fashion-mnist", "--json"));
        assertEquals(10_000, doc.get("images").asInt());
        assertEquals("int8", doc.get("variant").asText());
        assertEquals(doc.get("declaredAccuracy").asDouble(), doc.get("accuracy").asDouble(), 1e-12);
        assertEquals(0.8765, doc.get("accuracy").asDouble(), 0.003);
    }

    @Test
    void bench_json_reportsPercentiles() throws Exception {
        JsonNode doc = JSON.readTree(run(new BenchCommand(), "--bundle", dir.resolve("mlp.pipit").toString(),
                "--variant", "fp32", "--batch", "4", "--threads", "1", "--iterations", "50", "--warmup", "10", "--json"));
        assertEquals(4, doc.get("batch").asInt());
        assertEquals(1, doc.get("threads").asInt());
        assertTrue(doc.get("p50Micros").asDouble() > 0);
        assertTrue(doc.get("p90Micros").asDouble() >= doc.get("p50Micros").asDouble());
    }

    @Test
    void compress_report_writesJsonMarkdownAndPng() throws Exception {
        JsonNode report = JSON.readTree(dir.resolve("report/report.json").toFile());
        assertEquals(2, report.get("variants").size());
        JsonNode int8 = report.get("variants").get(1);
        assertEquals("int8", int8.get("id").asText());
        for (String field : new String[] {"technique", "accuracy", "weightBytesStored", "weightBytesRam", "plannedPeakBytes",
                "macs", "p50Micros", "calibration"}) {
            assertTrue(int8.has(field), field);
        }
        assertEquals(4, int8.get("calibration").size(), int8.toString()); // the input and the three layer outputs
        String md = Files.readString(dir.resolve("report/report.md"));
        assertTrue(md.contains("| int8 |"), md);
        byte[] png = Files.readAllBytes(dir.resolve("report/tradeoff.png"));
        assertTrue(png.length > 5_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "PNG of " + png.length + " bytes");
    }

    @Test
    void compress_unknownVariant_failsWithoutWriting() {
        Path out = dir.resolve("never.pipit");
        int code = new CommandLine(new CompressCommand()).execute("--onnx", TestData.model("mlp_fp32.onnx").toString(),
                "--key", dir.resolve("keys/signing.key").toString(), "--out", out.toString(), "--variants", "fp32,int4");
        assertNotEquals(0, code);
        assertTrue(Files.notExists(out));
    }

    @Test
    void train_oneEpoch_writesAnOnnxModelThatImportsAndLearned() throws Exception {
        Path out = dir.resolve("trained.onnx");
        String stdout = run(new TrainCommand(), "--arch", "mlp", "--dataset", "fashion-mnist", "--epochs", "1",
                "--seed", "3", "--out", out.toString());
        assertTrue(stdout.contains("test accuracy"), stdout);
        assertEquals(4, OnnxImporter.read(out).nodes().size());
        double accuracy = Double.parseDouble(stdout.replaceAll("(?s).*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 80, stdout); // one epoch of Adam reaches ~85%
    }

    @Test
    void trainCnn_smallSubset_writesAConvolutionalOnnxModel() throws Exception {
        Path out = dir.resolve("cnn.onnx");
        String stdout = run(new TrainCommand(), "--arch", "cnn", "--epochs", "1", "--train-count", "2000", "--seed", "3",
                "--out", out.toString());
        var graph = OnnxImporter.read(out);
        assertEquals(2, graph.nodes().stream().filter(n -> n.op() == dev.pipit.runtime.graph.OpType.CONV_2D).count());
        double accuracy = Double.parseDouble(stdout.replaceAll("(?s).*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 55, stdout); // 16 steps on 2,000 images; chance is 10%
    }

    @Test
    void exportOnnx_int8Variant_onnxRuntimeMatchesPipitWithinAFifthOfAPoint() throws Exception {
        Path onnx = dir.resolve("int8-qdq.onnx");
        run(new ExportOnnxCommand(), "--bundle", dir.resolve("mlp.pipit").toString(), "--variant", "int8",
                "--out", onnx.toString());
        JsonNode pipit = JSON.readTree(run(new EvalCommand(), "--bundle", dir.resolve("mlp.pipit").toString(),
                "--variant", "int8", "--json"));
        try (OnnxRuntimeOracle ort = new OnnxRuntimeOracle(Files.readAllBytes(onnx))) {
            double accuracy = ort.accuracy(TestData.test());
            assertEquals(pipit.get("accuracy").asDouble(), accuracy, 0.002);
        }
    }

    @Test
    void exportOnnx_unknownVariant_failsWithoutWriting() {
        Path out = dir.resolve("none.onnx");
        int code = new CommandLine(new ExportOnnxCommand()).execute("--bundle", dir.resolve("mlp.pipit").toString(),
                "--variant", "int3", "--out", out.toString());
        assertNotEquals(0, code);
        assertTrue(Files.notExists(out));
    }
}
