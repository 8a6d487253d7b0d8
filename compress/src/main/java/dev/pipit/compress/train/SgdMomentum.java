package dev.pipit.compress.train;

/** Stochastic gradient descent with (non-Nesterov) momentum. */
final class SgdMomentum implements Optimizer {

    private float learningRate;
    private final float momentum;
    private final float[][] velocity;

    SgdMomentum(float learningRate, float momentum, int[] slotSizes) {
        this.learningRate = learningRate;
        this.momentum = momentum;
        velocity = new float[slotSizes.length][];
        for (int s = 0; s < slotSizes.length; s++) {
            velocity[s] = new float[slotSizes[s]];
        }
    }

    @Override
    public void setLearningRate(float rate) {
        learningRate = rate;
    }

    @Override
    public void beginStep() {
        // stateless across steps apart from the velocity
    }

    @Override
    public void update(int slot, float[] param, float[] grad, int from, int to) {
        float[] vs = velocity[slot];
        for (int i = from; i < to; i++) {
            vs[i] = momentum * vs[i] + grad[i];
            param[i] -= learningRate * vs[i];
        }
    }
}
