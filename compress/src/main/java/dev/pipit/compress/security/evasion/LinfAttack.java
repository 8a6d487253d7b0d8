package dev.pipit.compress.security.evasion;

import java.util.Random;

/**
 * An L∞ gradient attack on images in [0, 1]: from the clean image (or a uniform random point of the
 * ε-ball), {@code steps} times move every pixel by {@code stepSize} along the sign of the loss gradient,
 * then project back into the ε-ball around the clean image and into [0, 1]. One step of size ε from the
 * clean image is FGSM (Goodfellow et al., 2015); several from a random start is PGD (Madry et al., 2018).
 *
 * @param epsilon the L∞ budget on [0, 1] pixels
 * @param steps gradient steps
 * @param stepSize each step's L∞ length
 * @param randomStart start from a seeded uniform point of the ε-ball
 * @param seed seeds the random start
 */
public record LinfAttack(float epsilon, int steps, float stepSize, boolean randomStart, long seed) {

    public LinfAttack {
        if (!(epsilon >= 0) || steps < 1 || !(stepSize >= 0)) {
            throw new IllegalArgumentException("an attack needs ε ≥ 0, at least one step and a step size ≥ 0");
        }
    }

    public static LinfAttack fgsm(float epsilon) {
        return new LinfAttack(epsilon, 1, epsilon, false, 0);
    }

    /** PGD with Madry's step of 2.5·ε/steps, so the steps can cross the ball from any start. */
    public static LinfAttack pgd(float epsilon, int steps, long seed) {
        return new LinfAttack(epsilon, steps, 2.5f * epsilon / steps, true, seed);
    }

    /**
     * Adversarial versions of the {@code n} images in {@code images} (row-major, one after another),
     * crafted {@code model.capacity()} at a time with the gradients of {@code model}.
     */
    public float[] craft(Backprop model, float[] images, int[] labels, int n) {
        int size = model.network().inputSize();
        Random random = new Random(seed);
        float[] adv = new float[n * size];
        for (int i = 0; i < n * size; i++) {
            float noise = randomStart ? (random.nextFloat() * 2 - 1) * epsilon : 0f;
            adv[i] = Math.max(0f, Math.min(1f, images[i] + noise));
        }
        int batch = model.capacity();
        float[] x = new float[batch * size];
        float[] grad = new float[batch * size];
        int[] y = new int[batch];
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            int o = start * size;
            System.arraycopy(labels, start, y, 0, m);
            for (int s = 0; s < steps; s++) {
                System.arraycopy(adv, o, x, 0, m * size);
                model.gradient(x, y, m, grad, false);
                for (int i = 0; i < m * size; i++) {
                    float clean = images[o + i];
                    float moved = adv[o + i] + stepSize * Math.signum(grad[i]);
                    adv[o + i] = Math.max(Math.max(0f, clean - epsilon), Math.min(Math.min(1f, clean + epsilon), moved));
                }
            }
        }
        return adv;
    }
}
