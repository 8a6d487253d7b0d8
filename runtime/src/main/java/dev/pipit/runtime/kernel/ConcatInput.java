package dev.pipit.runtime.kernel;

import dev.pipit.runtime.graph.Quantization;
import dev.pipit.runtime.quant.FixedPoint;
import dev.pipit.runtime.quant.FixedPointMultiplier;

/**
 * Copies one CONCAT input into its slot of the output. Seen from the concatenation axis, a sample of
 * the input is {@code outer} runs of {@code run} elements, and the output interleaves the inputs' runs:
 * output run length {@code outputRun}, this input's at {@code start} within it. An int8 input quantized
 * unlike the output is requantized on the way: {@code y_zp + (x − x_zp) · inputScale / outputScale}
 * (double rounding), clamped.
 */
public final class ConcatInput {

    private final int outer;
    private final int run;
    private final int outputRun;
    private final int start;
    private final boolean requantize;
    private final int inputZeroPoint;
    private final int multiplier;
    private final int shift;
    private final int outputZeroPoint;

    /** fp32, or int8 with the same quantization in and out. */
    public ConcatInput(int outer, int run, int outputRun, int start) {
        this(outer, run, outputRun, start, null, null);
    }

    /** Int8, requantized when {@code input} differs from {@code output}. */
    public ConcatInput(int outer, int run, int outputRun, int start, Quantization input, Quantization output) {
        if (start < 0 || start + run > outputRun) {
            throw new IllegalArgumentException("slot [" + start + ", " + (start + run) + ") is outside the output run " + outputRun);
        }
        this.outer = outer;
        this.run = run;
        this.outputRun = outputRun;
        this.start = start;
        this.requantize = input != null && !input.equals(output);
        FixedPointMultiplier m = requantize ? FixedPointMultiplier.of((double) input.scale() / output.scale()) : null;
        this.inputZeroPoint = requantize ? input.zeroPoint() : 0;
        this.multiplier = requantize ? m.multiplier() : 0;
        this.shift = requantize ? m.shift() : 0;
        this.outputZeroPoint = requantize ? output.zeroPoint() : 0;
    }

    public void run(float[] x, int xOff, float[] y, int yOff, int batch) {
        for (int o = 0; o < batch * outer; o++) {
            System.arraycopy(x, xOff + o * run, y, yOff + o * outputRun + start, run);
        }
    }

    public void run(byte[] x, int xOff, byte[] y, int yOff, int batch) {
        for (int o = 0; o < batch * outer; o++) {
            int xi = xOff + o * run, yi = yOff + o * outputRun + start;
            if (!requantize) {
                System.arraycopy(x, xi, y, yi, run);
                continue;
            }
            for (int i = 0; i < run; i++) {
                int v = outputZeroPoint + FixedPoint.multiplyByQuantizedMultiplier(x[xi + i] - inputZeroPoint, multiplier, shift);
                y[yi + i] = (byte) Math.min(127, Math.max(-128, v));
            }
        }
    }
}
