package dev.pipit.compress.train;

/** Adam (Kingma and Ba) with bias correction, as {@code torch.optim.Adam} computes it. */
final class Adam implements Optimizer {

    private float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float[][] m;
    private final float[][] v;
    private int step;

    Adam(float learningRate, float beta1, float beta2, float epsilon, int[] slotSizes) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        m = new float[slotSizes.length][];
        v = new float[slotSizes.length][];
        for (int s = 0; s < slotSizes.length; s++) {
            m[s] = new float[slotSizes[s]];
            v[s] = new float[slotSizes[s]];
        }
    }

    @Override
    public void setLearningRate(float rate) {
        learningRate = rate;
    }

    @Override
    public void beginStep() {
        step++;
    }

    @Override
    public void update(int slot, float[] param, float[] grad, int from, int to) {
        float[] ms = m[slot];
        float[] vs = v[slot];
        float stepSize = (float) (learningRate / (1 - Math.pow(beta1, step)));
        float correction2 = (float) Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = from; i < to; i++) {
            float g = grad[i];
            ms[i] = beta1 * ms[i] + (1 - beta1) * g;
            vs[i] = beta2 * vs[i] + (1 - beta2) * g * g;
            param[i] -= stepSize * ms[i] / ((float) Math.sqrt(vs[i]) / correction2 + epsilon);
        }
    }
}
