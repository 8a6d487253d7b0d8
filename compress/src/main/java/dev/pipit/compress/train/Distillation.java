package dev.pipit.compress.train;

import java.util.Objects;

/**
 * Knowledge distillation targets (Hinton et al.): the loss is
 * {@code α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, label)}, the teacher
 * evaluated on the same batch as the student.
 *
 * @param teacher gives the logits to match
 * @param temperature T, softening both distributions
 * @param alpha weight of the soft term
 */
public record Distillation(Teacher teacher, float temperature, float alpha) {

    public Distillation {
        Objects.requireNonNull(teacher, "teacher");
        if (!(temperature > 0) || alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("distillation needs T > 0 and α in [0, 1]");
        }
    }
}
