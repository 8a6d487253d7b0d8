package dev.pipit.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pipit.compress.onnx.QdqExporter;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One inference engine on one input, one thread. */
interface Engine extends AutoCloseable {

    /** Runs once; returns something derived from the output so the JIT cannot drop the work. */
    float run() throws OrtException;

    @Override
    void close() throws OrtException;

    static Engine pipit(Graph graph, float[] input, int batch) {
        Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(batch, 1));
        float[] out = new float[batch * interpreter.outputSize()];
        return new Engine() {
            public float run() {
                interpreter.run(input, batch, out);
                return out[0];
            }

            public void close() {
                interpreter.close();
            }
        };
    }

    /** ONNX Runtime on an int8 pipit graph exported as a QDQ model (ORT fuses it into its int8 kernels). */
    static Engine onnxRuntimeQdq(Graph int8, float[] input, long[] shape) throws OrtException {
        return onnxRuntime(QdqExporter.toModel(int8).toByteArray(), input, shape);
    }

    static Engine onnxRuntime(Path onnxFile, float[] input, long[] shape) throws Exception {
        return onnxRuntime(Files.readAllBytes(onnxFile), input, shape);
    }

    static Engine onnxRuntime(byte[] model, float[] input, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        OrtSession session = env.createSession(model, options);
        OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        Map<String, OnnxTensor> feeds = Map.of(session.getInputNames().iterator().next(), x);
        return new Engine() {
            public float run() throws OrtException {
                try (OrtSession.Result r = session.run(feeds)) {
                    return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
                }
            }

            public void close() throws OrtException {
                x.close();
                session.close();
                options.close();
            }
        };
    }
}
