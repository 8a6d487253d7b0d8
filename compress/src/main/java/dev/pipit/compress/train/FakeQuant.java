package dev.pipit.compress.train;

/**
 * Simulates an int8 activation tensor during training: rounds (half away from zero, as the runtime) to
 * the grid {@code (q − zp)·scale} with q in [−128, 127] and passes gradients straight through inside the representable range (zero outside),
 * the clipped straight-through estimator of quantization-aware training.
 */
public final class FakeQuant implements Layer {

    private final int[] shape;
    private final float scale;
    private final int zeroPoint;

    public FakeQuant(int[] shape, float scale, int zeroPoint) {
        if (!(scale > 0) || zeroPoint < -128 || zeroPoint > 127) {
            throw new IllegalArgumentException("fake quantization needs a positive scale and an int8 zero point");
        }
        this.shape = shape.clone();
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    @Override
    public int[] outputShape() {
        return shape.clone();
    }

    private float low() {
        return (-128 - zeroPoint) * scale;
    }

    private float high() {
        return (127 - zeroPoint) * scale;
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        int size = outputSize();
        for (int i = from * size; i < to * size; i++) {
            float q = Math.max(-128, Math.min(127, roundHalfAway(x[i] / scale) + zeroPoint));
            y[i] = (q - zeroPoint) * scale;
        }
    }

    /** Ties away from zero, as the runtime's QUANTIZE and the quantizer ({@code std::round}). */
    static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int size = outputSize();
        float low = low();
        float high = high();
        for (int i = from * size; i < to * size; i++) {
            dx[i] = x[i] >= low && x[i] <= high ? dy[i] : 0f;
        }
    }
}
