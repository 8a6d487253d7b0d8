package dev.pipit.compress.train;

/**
 * Knowledge distillation targets (Hinton et al.): the loss is
 * {@code α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, label)}.
 *
 * @param teacherLogits the teacher's logits for every training image, {@code [count, classes]}
 * @param temperature T, softening both distributions
 * @param alpha weight of the soft term
 */
public record Distillation(float[] teacherLogits, float temperature, float alpha) {

    public Distillation {
        if (!(temperature > 0) || alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("distillation needs T > 0 and α in [0, 1]");
        }
    }
}
