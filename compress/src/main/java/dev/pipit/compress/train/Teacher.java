package dev.pipit.compress.train;

/**
 * A trained model that distillation asks for its logits online, on the very (augmented) batch the
 * student is trained on: a cached table of logits for the un-augmented images would teach the student
 * a function other than the one it sees.
 */
@FunctionalInterface
public interface Teacher {

    /** Writes the logits of the {@code n} images in {@code images} ({@code n * inputSize} floats) to {@code out}. */
    void logits(float[] images, int n, float[] out);
}
