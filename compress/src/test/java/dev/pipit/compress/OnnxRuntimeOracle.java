package dev.pipit.compress;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs ONNX models with Microsoft's ONNX Runtime: the independent reference for import and export tests. */
public final class OnnxRuntimeOracle implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public OnnxRuntimeOracle(byte[] model) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        session = env.createSession(model, options);
    }

    /** The first output, flattened, for {@code batch} samples of {@code sampleShape}. */
    public float[] run(float[] input, int batch, long... sampleShape) throws OrtException {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = batch;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        String name = session.getInputNames().iterator().next();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of(name, x))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    /** Fraction of {@code images} whose argmax output equals the label, 100 images per call. */
    public double accuracy(dev.pipit.compress.data.LabeledImages images) throws OrtException {
        int correct = 0;
        for (int start = 0; start < images.count(); start += 100) {
            int n = Math.min(100, images.count() - start);
            float[] in = new float[n * images.imageSize()];
            images.copyImages(start, n, in, 0);
            float[] out = run(in, n, 1, images.rows(), images.cols());
            int classes = out.length / n;
            for (int b = 0; b < n; b++) {
                correct += dev.pipit.compress.evaluate.Evaluator.argmax(out, b * classes, classes) == images.label(start + b) ? 1 : 0;
            }
        }
        return (double) correct / images.count();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
