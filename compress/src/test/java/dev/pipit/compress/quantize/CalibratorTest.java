package dev.pipit.compress.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.compress.TestData;
import dev.pipit.compress.onnx.OnnxImporter;
import dev.pipit.runtime.graph.Graph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CalibratorTest {

    private static Graph cnn;
    private static float[] samples;

    @BeforeAll
    static void load() throws Exception {
        cnn = OnnxImporter.read(TestData.model("cnn_fp32.onnx"));
        samples = TestData.floats(TestData.train(), 300);
    }

    @Test
    void candidates_pytorchCnn_percentileAndMseClipInsideMinMax() {
        Map<String, Map<CalibrationMethod, Range>> c = Calibrator.candidates(cnn, samples, 300);
        assertEquals(StaticQuantizer.calibratedTensors(cnn), List.copyOf(c.keySet()));
        for (Map.Entry<String, Map<CalibrationMethod, Range>> e : c.entrySet()) {
            Range minMax = e.getValue().get(CalibrationMethod.MIN_MAX);
            for (CalibrationMethod m : List.of(CalibrationMethod.PERCENTILE, CalibrationMethod.MSE)) {
                Range r = e.getValue().get(m);
                assertTrue(r.min() >= minMax.min() - 1e-6 && r.max() <= minMax.max() * 1.001f, e.getKey() + " " + m + " " + r);
            }
        }
        Range relu = c.get("/r2/Relu_output_0").get(CalibrationMethod.MIN_MAX);
        assertEquals(0f, relu.min());
        assertTrue(c.get("/r2/Relu_output_0").get(CalibrationMethod.MSE).max() < relu.max(), "a ReLU's long tail is clipped");
    }

    @Test
    void select_pytorchCnn_noWorseOutputErrorThanMinMax() {
        Calibrator.Result r = Calibrator.select(cnn, samples, 300, WeightQuantizer.perChannel());
        double minMaxError = Calibrator.mse(Calibrator.run(cnn, samples, 300),
                Calibrator.run(StaticQuantizer.quantize(cnn, r.using(CalibrationMethod.MIN_MAX), WeightQuantizer.perChannel()),
                        samples, 300));
        assertTrue(r.outputMse() <= minMaxError, r.outputMse() + " vs min-max " + minMaxError);
        assertEquals(r.ranges().keySet(), r.methods().keySet());
    }

    @Test
    void mseOptimal_outlier_clipsIt() {
        float[] values = new float[10_001];
        for (int i = 0; i < 10_000; i++) {
            values[i] = (i % 100) / 100f;
        }
        values[10_000] = 50f;
        Histogram h = new Histogram(Range.of(values));
        h.add(values);
        assertTrue(h.mseOptimal().max() < 50f);
        assertTrue(h.squaredError(h.mseOptimal()) < h.squaredError(Range.of(values)));
        assertTrue(h.percentile(1e-4).max() < 2f, h.percentile(1e-4).toString());
    }
}
