package dev.pipit.compress.onnx.conformance;

import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Runs ONNX backend node tests on the runtime's kernels and compares with ONNX's tolerances: floats
 * {@code |actual − expected| ≤ 1e-7 + 1e-3 · |expected|} (ONNX's {@code assert_allclose(rtol=1e-3,
 * atol=1e-7)}); integers exactly, except the requantizing operators, where ONNX's reference rounds a
 * float product half to even and the runtime uses TFLite's fixed-point multiplier rounding half away
 * from zero, so ±1 is accepted (and reported).
 */
public final class ConformanceRunner {

    static final double RTOL = 1e-3;
    static final double ATOL = 1e-7;
    private static final Set<String> REQUANTIZING = Set.of("QuantizeLinear", "QLinearMatMul", "QLinearConv");

    private ConformanceRunner() {
    }

    public static CaseResult run(Path dir) {
        String name = dir.getFileName().toString();
        try {
            NodeTestCase test = NodeTestCase.load(dir);
            String op = test.model().getGraph().getNodeCount() == 1 ? test.model().getGraph().getNode(0).getOpType() : "";
            int offByOne = 0;
            for (NodeTestCase.DataSet set : test.dataSets()) {
                TestTensor expected = set.outputs().get(0);
                double[] got = new double[expected.size()];
                int filled = 0;
                for (Translation t : NodeTranslator.translate(test.model(), set.inputs(), set.outputs())) {
                    try (Interpreter interpreter = Interpreter.load(t.graph(), new RuntimeOptions(t.batch(), 1))) {
                        int size = interpreter.outputSize() * t.batch();
                        if (filled + size > got.length) {
                            return new CaseResult(name, CaseResult.Status.FAIL, "output has more than the expected "
                                    + expected.size() + " elements " + Arrays.toString(expected.dims()));
                        }
                        float[] out = new float[size];
                        interpreter.run(t.input(), t.batch(), out);
                        for (float v : out) {
                            got[filled++] = t.output().decode(v);
                        }
                    }
                }
                if (filled != got.length) {
                    return new CaseResult(name, CaseResult.Status.FAIL, "output has " + filled + " elements, expected "
                            + expected.size() + " " + Arrays.toString(expected.dims()));
                }
                double[] want = expected.values();
                for (int i = 0; i < want.length; i++) {
                    if (expected.isFloat()) {
                        if (!(Math.abs(got[i] - want[i]) <= ATOL + RTOL * Math.abs(want[i]))) {
                            return mismatch(name, i, got[i], want[i]);
                        }
                    } else if (got[i] != want[i]) {
                        if (REQUANTIZING.contains(op) && Math.abs(got[i] - want[i]) == 1) {
                            offByOne++;
                        } else {
                            return mismatch(name, i, got[i], want[i]);
                        }
                    }
                }
            }
            return new CaseResult(name, CaseResult.Status.PASS,
                    offByOne == 0 ? "" : offByOne + " element(s) off by one (rounding ties, see docs/onnx-conformance.md)");
        } catch (UnsupportedCaseException e) {
            return new CaseResult(name, CaseResult.Status.UNSUPPORTED, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new CaseResult(name, CaseResult.Status.FAIL, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static CaseResult mismatch(String name, int index, double got, double want) {
        return new CaseResult(name, CaseResult.Status.FAIL, "element " + index + " is " + got + ", expected " + want);
    }
}
