package dev.pipit.compress.quantize;

import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the int8 range of every activation tensor the quantizer needs. Three candidates per tensor
 * ({@link CalibrationMethod}): min-max, the 99.99th percentile and the MSE-optimal clip. The choice is
 * made per tensor, greedily in graph order: for each tensor, the candidate whose quantized graph (run
 * by the runtime's int8 kernels) gives the lowest mean squared error of the model's outputs against
 * the fp32 outputs on the calibration samples, with the tensors before it already fixed.
 */
public final class Calibrator {

    /** Two-sided tail the percentile method clips: 0.01 % at each end (99.99 %). */
    public static final double PERCENTILE_TAIL = 1e-4;
    private static final int BATCH = 100;

    /**
     * @param ranges the chosen range per tensor
     * @param methods which candidate was chosen per tensor
     * @param candidates all three candidates per tensor
     * @param outputMse mean squared error of the int8 outputs against fp32 with the chosen ranges
     */
    public record Result(Map<String, Range> ranges, Map<String, CalibrationMethod> methods,
                         Map<String, Map<CalibrationMethod, Range>> candidates, double outputMse) {

        /** Every tensor with one method. */
        public Map<String, Range> using(CalibrationMethod method) {
            Map<String, Range> r = new LinkedHashMap<>();
            candidates.forEach((t, c) -> r.put(t, c.get(method)));
            return r;
        }
    }

    private Calibrator() {
    }

    /** Min-max ranges of the tensors the quantizer needs, over {@code count} samples. */
    public static Map<String, Range> minMax(Graph graph, float[] samples, int count) {
        Map<String, Range> ranges = new LinkedHashMap<>();
        try (ActivationRecorder recorder = new ActivationRecorder(graph, StaticQuantizer.calibratedTensors(graph))) {
            recorder.record(samples, count, (t, v) -> ranges.merge(t, Range.of(v), Range::union));
        }
        return ranges;
    }

    /** The three candidate ranges of every tensor the quantizer needs (two passes over the samples). */
    public static Map<String, Map<CalibrationMethod, Range>> candidates(Graph graph, float[] samples, int count) {
        List<String> names = StaticQuantizer.calibratedTensors(graph);
        Map<String, Range> minMax = new LinkedHashMap<>();
        Map<String, Histogram> histograms = new HashMap<>();
        try (ActivationRecorder recorder = new ActivationRecorder(graph, names)) {
            recorder.record(samples, count, (t, v) -> minMax.merge(t, Range.of(v), Range::union));
            minMax.forEach((t, r) -> histograms.put(t, new Histogram(r)));
            recorder.record(samples, count, (t, v) -> histograms.get(t).add(v));
        }
        Map<String, Map<CalibrationMethod, Range>> out = new LinkedHashMap<>();
        for (String t : names) {
            Map<CalibrationMethod, Range> c = new EnumMap<>(CalibrationMethod.class);
            c.put(CalibrationMethod.MIN_MAX, minMax.get(t));
            c.put(CalibrationMethod.PERCENTILE, histograms.get(t).percentile(PERCENTILE_TAIL));
            c.put(CalibrationMethod.MSE, histograms.get(t).mseOptimal());
            out.put(t, c);
        }
        return out;
    }

    /** Calibrates and chooses a method per tensor by output MSE (see the class comment). */
    public static Result select(Graph graph, float[] samples, int count, WeightQuantizer weights) {
        Map<String, Map<CalibrationMethod, Range>> candidates = candidates(graph, samples, count);
        float[] reference = run(graph, samples, count);
        Map<String, Range> chosen = new LinkedHashMap<>();
        Map<String, CalibrationMethod> methods = new LinkedHashMap<>();
        candidates.forEach((t, c) -> {
            chosen.put(t, c.get(CalibrationMethod.MIN_MAX));
            methods.put(t, CalibrationMethod.MIN_MAX);
        });
        double best = Double.NaN;
        for (String t : candidates.keySet()) {
            for (CalibrationMethod m : CalibrationMethod.values()) {
                Range r = candidates.get(t).get(m);
                if (m != CalibrationMethod.MIN_MAX && r.equals(chosen.get(t)) && !Double.isNaN(best)) {
                    continue; // same range as the current choice: same error
                }
                Map<String, Range> trial = new LinkedHashMap<>(chosen);
                trial.put(t, r);
                double mse = mse(reference, run(StaticQuantizer.quantize(graph, trial, weights), samples, count));
                if (Double.isNaN(best) || mse < best) {
                    best = mse;
                    chosen.put(t, r);
                    methods.put(t, m);
                }
            }
        }
        return new Result(chosen, methods, candidates, best);
    }

    /** The graph's outputs for {@code count} samples, by the runtime. */
    public static float[] run(Graph graph, float[] samples, int count) {
        try (Interpreter interpreter = Interpreter.load(graph, new RuntimeOptions(BATCH, 1))) {
            int in = interpreter.inputSize();
            int out = interpreter.outputSize();
            float[] result = new float[count * out];
            for (int start = 0; start < count; start += BATCH) {
                int n = Math.min(BATCH, count - start);
                float[] y = new float[n * out];
                interpreter.run(java.util.Arrays.copyOfRange(samples, start * in, (start + n) * in), n, y);
                System.arraycopy(y, 0, result, start * out, n * out);
            }
            return result;
        }
    }

    static double mse(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / a.length;
    }
}
