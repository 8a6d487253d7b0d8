package dev.pipit.compress.train;

/** {@code y = max(x, 0)}; exported fused into the preceding convolution or fully-connected layer. */
public final class Relu implements Layer {

    private final int[] shape;

    public Relu(int[] shape) {
        this.shape = shape.clone();
    }

    @Override
    public int[] outputShape() {
        return shape.clone();
    }

    @Override
    public void forward(float[] x, float[] y, int from, int to) {
        int size = outputSize();
        for (int i = from * size; i < to * size; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int size = outputSize();
        for (int i = from * size; i < to * size; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
