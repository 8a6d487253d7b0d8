package dev.pipit.compress.security.privacy;

import java.util.Arrays;

/**
 * How well membership scores separate members from non-members (higher score = "member"): the ROC curve's
 * area and its true-positive rate at a fixed false-positive rate, both with ties handled exactly.
 *
 * @param auc area under the ROC curve, the Mann–Whitney U statistic with tied scores counted as half
 * @param tprAt1Fpr true-positive rate at 1 % false positives, linearly interpolated on the ROC curve
 * @param advantage the best {@code TPR − FPR} over all thresholds (Yeom et al.'s membership advantage)
 */
public record AttackRoc(double auc, double tprAt1Fpr, double advantage) {

    public static AttackRoc of(double[] members, double[] nonMembers) {
        if (members.length == 0 || nonMembers.length == 0) {
            throw new IllegalArgumentException("an ROC needs at least one member and one non-member score");
        }
        return new AttackRoc(auc(members, nonMembers), tprAt(members, nonMembers, 0.01), advantage(members, nonMembers));
    }

    /** Mann–Whitney: P(member score > non-member score) + ½·P(equal), from average ranks. */
    static double auc(double[] members, double[] nonMembers) {
        int m = members.length;
        int n = nonMembers.length;
        double[][] all = new double[m + n][];
        for (int i = 0; i < m; i++) {
            all[i] = new double[] {members[i], 1};
        }
        for (int i = 0; i < n; i++) {
            all[m + i] = new double[] {nonMembers[i], 0};
        }
        Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
        double memberRanks = 0;
        for (int i = 0; i < all.length; ) {
            int j = i;
            while (j < all.length && all[j][0] == all[i][0]) {
                j++;
            }
            double rank = (i + 1 + j) / 2.0; // average of ranks i+1 .. j
            for (int k = i; k < j; k++) {
                memberRanks += all[k][1] * rank;
            }
            i = j;
        }
        return (memberRanks - m * (m + 1) / 2.0) / ((double) m * n);
    }

    /**
     * TPR where the ROC curve crosses {@code fpr}. The curve's vertices are the (FPR, TPR) pairs of every
     * distinct threshold, scores at or above it called members; a group of tied scores is a straight segment
     * (what a random tie-break gives on average), and between vertices the curve is linear. Where vertices
     * lie exactly at {@code fpr}, the highest of their TPRs counts.
     */
    static double tprAt(double[] members, double[] nonMembers, double fpr) {
        double[] vertexFpr = new double[members.length + nonMembers.length + 1];
        double[] vertexTpr = new double[vertexFpr.length];
        int count = vertices(members, nonMembers, vertexFpr, vertexTpr);
        for (int v = 1; v < count; v++) {
            if (vertexFpr[v] > fpr) {
                double x0 = vertexFpr[v - 1];
                if (x0 == fpr) {
                    return vertexTpr[v - 1]; // the highest TPR reached at exactly this FPR
                }
                return vertexTpr[v - 1] + (vertexTpr[v] - vertexTpr[v - 1]) * (fpr - x0) / (vertexFpr[v] - x0);
            }
        }
        return 1.0;
    }

    static double advantage(double[] members, double[] nonMembers) {
        double[] vertexFpr = new double[members.length + nonMembers.length + 1];
        double[] vertexTpr = new double[vertexFpr.length];
        int count = vertices(members, nonMembers, vertexFpr, vertexTpr);
        double best = 0;
        for (int v = 0; v < count; v++) {
            best = Math.max(best, vertexTpr[v] - vertexFpr[v]);
        }
        return best;
    }

    /** Fills the ROC vertices from (0, 0) to (1, 1), thresholds descending; returns their number. */
    private static int vertices(double[] members, double[] nonMembers, double[] fpr, double[] tpr) {
        double[] m = members.clone();
        double[] n = nonMembers.clone();
        Arrays.sort(m);
        Arrays.sort(n);
        int i = m.length - 1;
        int j = n.length - 1;
        int count = 1;
        while (i >= 0 || j >= 0) {
            double threshold = Math.max(i >= 0 ? m[i] : Double.NEGATIVE_INFINITY, j >= 0 ? n[j] : Double.NEGATIVE_INFINITY);
            while (i >= 0 && m[i] == threshold) {
                i--;
            }
            while (j >= 0 && n[j] == threshold) {
                j--;
            }
            tpr[count] = (double) (m.length - 1 - i) / m.length;
            fpr[count] = (double) (n.length - 1 - j) / n.length;
            count++;
        }
        return count;
    }
}
