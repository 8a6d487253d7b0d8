package dev.pipit.agent.load;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.v1.GoldenInputs;
import dev.pipit.protocol.v1.GoldenOutputs;
import dev.pipit.protocol.v1.Variant;
import java.util.Locale;

/**
 * Runs the manifest's golden inputs through a loaded variant and compares with the outputs the fleet
 * computed for it: every value within tolerance and every predicted class equal. This checks the final
 * artifact on the device's own kernels, which is where a quantization-activated fault would show.
 */
final class GoldenCheck {

    private GoldenCheck() {
    }

    static void check(LoadedModel model, GoldenInputs inputs, Variant variant) throws BundleException {
        String id = variant.getId();
        int count = inputs.getCount();
        if (count == 0) {
            throw new BundleException("variant " + id + " cannot be checked: the manifest has no golden inputs");
        }
        long inValues = (long) count * model.inputSize();
        long outValues = (long) count * model.outputSize();
        GoldenOutputs expected = variant.getGolden();
        if (inputs.getValuesCount() != inValues) {
            throw new BundleException("golden inputs hold " + inputs.getValuesCount() + " values; " + count
                    + " samples of " + model.inputSize() + " need " + inValues);
        }
        if (expected.getValuesCount() != outValues || expected.getArgmaxCount() != count) {
            throw new BundleException("variant " + id + " golden outputs hold " + expected.getValuesCount()
                    + " values and " + expected.getArgmaxCount() + " classes; " + count + " samples need "
                    + outValues + " and " + count);
        }
        float tolerance = expected.getTolerance();
        if (!(tolerance >= 0) || Float.isInfinite(tolerance)) {
            throw new BundleException("variant " + id + " golden tolerance " + tolerance + " is not a finite,"
                    + " non-negative number");
        }
        float[] x = new float[(int) inValues];
        for (int i = 0; i < x.length; i++) {
            x[i] = inputs.getValues(i);
        }
        float[] y = model.run(x, count);
        int n = model.outputSize();
        for (int s = 0; s < count; s++) {
            for (int j = 0; j < n; j++) {
                float got = y[s * n + j];
                float want = expected.getValues(s * n + j);
                if (!(Math.abs(got - want) <= tolerance)) {
                    throw new BundleException(String.format(Locale.ROOT,
                            "variant %s fails its golden check: sample %d output %d is %.6g, expected %.6g ± %.3g",
                            id, s, j, got, want, tolerance));
                }
            }
            int predicted = LoadedModel.argmax(y, s * n, n);
            if (predicted != expected.getArgmax(s)) {
                throw new BundleException("variant " + id + " fails its golden check: sample " + s + " predicts class "
                        + predicted + ", expected " + expected.getArgmax(s));
            }
        }
    }
}
