package dev.pipit.compress.security.privacy;

import dev.pipit.compress.data.LabeledImages;

/** Per-example statistics membership attacks threshold, from a model's logits and the true labels. */
public final class MembershipScores {

    private MembershipScores() {
    }

    /** {@code −cross-entropy}: members tend to have a lower loss (Yeom et al. 2018). */
    public static double[] negativeLoss(float[] logits, LabeledImages images) {
        int classes = images.classes();
        double[] out = new double[images.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits[i * classes + images.label(i)] - logSumExp(logits, i * classes, classes, -1);
        }
        return out;
    }

    /**
     * LiRA's logit-scaled confidence {@code φ = log(p_y / (1 − p_y))}, computed as {@code z_y − logsumexp_{c≠y} z_c}
     * so it stays finite when {@code p_y} rounds to 1 (Carlini et al. 2022): close to Gaussian across models.
     */
    public static double[] scaledConfidence(float[] logits, LabeledImages images) {
        int classes = images.classes();
        double[] out = new double[images.count()];
        for (int i = 0; i < out.length; i++) {
            int y = images.label(i);
            out[i] = logits[i * classes + y] - logSumExp(logits, i * classes, classes, y);
        }
        return out;
    }

    private static double logSumExp(float[] z, int offset, int length, int skip) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < length; c++) {
            if (c != skip) {
                max = Math.max(max, z[offset + c]);
            }
        }
        double sum = 0;
        for (int c = 0; c < length; c++) {
            if (c != skip) {
                sum += Math.exp(z[offset + c] - max);
            }
        }
        return max + Math.log(sum);
    }
}
