package dev.pipit.compress.train;

/**
 * Updates parameters from their gradients. Each parameter array is a slot whose state (moments,
 * velocity) the optimizer keeps between steps.
 */
public interface Optimizer {

    /** Changes the step size from the next update on (learning-rate schedules). */
    void setLearningRate(float rate);

    /** Starts a new step (Adam's bias correction counts steps). */
    void beginStep();

    /** Applies one update to the parameter in {@code slot}, elements {@code [from, to)}. */
    void update(int slot, float[] param, float[] grad, int from, int to);

    /** Adam with PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8). */
    static Optimizer adam(float learningRate, int[] slotSizes) {
        return new Adam(learningRate, 0.9f, 0.999f, 1e-8f, slotSizes);
    }

    /** SGD with momentum as PyTorch defines it: {@code v = μv + g; p -= lr·v}. */
    static Optimizer sgd(float learningRate, float momentum, int[] slotSizes) {
        return new SgdMomentum(learningRate, momentum, slotSizes);
    }
}
