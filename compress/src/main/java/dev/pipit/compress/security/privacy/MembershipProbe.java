package dev.pipit.compress.security.privacy;

import dev.pipit.compress.bundle.VariantBuild;
import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.quantize.Calibrator;
import dev.pipit.compress.security.SecurityContext;
import dev.pipit.compress.security.SecurityProbe;
import dev.pipit.runtime.graph.Graph;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Membership inference against every variant's final graph, run by the runtime: {@code images} training images
 * (members, sampled from the private part, see {@link PublicSplit}) against as many test images (non-members).
 * Two attacks: the loss threshold (Yeom et al. 2018) and offline LiRA ({@link OfflineLira}), whose shadows are
 * trained once, in {@link #prepare}. {@code membershipAuc} and {@code membershipTprAt1Fpr} are those of the
 * attack with the higher AUC; {@code membershipAdvantage} is its best TPR − FPR.
 */
public final class MembershipProbe implements SecurityProbe {

    /** Four shadows of 10,000 images for 2 epochs: about 1.3 training epochs of the parent in all. */
    public static final OfflineLira.Options SHADOWS = new OfflineLira.Options(4, 10_000, 2);

    private final LabeledImages members;
    private final LabeledImages nonMembers;
    private final OfflineLira lira;

    private MembershipProbe(LabeledImages members, LabeledImages nonMembers, OfflineLira lira) {
        this.members = members;
        this.nonMembers = nonMembers;
        this.lira = lira;
    }

    public static MembershipProbe prepare(SecurityContext context) {
        return prepare(context, SHADOWS);
    }

    /** Samples the candidates and trains the shadows on the training images that are not candidates. */
    public static MembershipProbe prepare(SecurityContext context, OfflineLira.Options shadows) {
        Random random = new Random(context.seed() ^ 0x4D454D42L);
        int privateCount = PublicSplit.privateCount(context.members());
        if (context.images() > privateCount) {
            throw new IllegalArgumentException("security images must be at most the " + privateCount + " private training images");
        }
        int[] memberIndices = OfflineLira.sample(privateCount, context.images(), random);
        int[] nonMemberIndices = OfflineLira.sample(context.nonMembers().count(), context.images(), random);
        LabeledImages members = ImageSelection.pick(context.members(), memberIndices);
        LabeledImages nonMembers = ImageSelection.pick(context.nonMembers(), nonMemberIndices);
        boolean[] candidate = new boolean[context.members().count()];
        for (int i : memberIndices) {
            candidate[i] = true;
        }
        int[] pool = new int[candidate.length - memberIndices.length];
        for (int i = 0, k = 0; i < candidate.length; i++) {
            if (!candidate[i]) {
                pool[k++] = i;
            }
        }
        OfflineLira lira = OfflineLira.fit(context.parent(), context.members(), pool, concat(members, nonMembers), shadows,
                random.nextLong(), context.threads(), context.log());
        return new MembershipProbe(members, nonMembers, lira);
    }

    @Override
    public Map<String, Double> measure(VariantBuild variant) {
        return measure(variant.graph());
    }

    public Map<String, Double> measure(Graph graph) {
        float[] memberLogits = logits(graph, members);
        float[] nonMemberLogits = logits(graph, nonMembers);
        AttackRoc loss = AttackRoc.of(MembershipScores.negativeLoss(memberLogits, members),
                MembershipScores.negativeLoss(nonMemberLogits, nonMembers));
        double[] scores = lira.scores(concat(MembershipScores.scaledConfidence(memberLogits, members),
                MembershipScores.scaledConfidence(nonMemberLogits, nonMembers)));
        int m = members.count();
        AttackRoc shadow = AttackRoc.of(Arrays.copyOf(scores, m), Arrays.copyOfRange(scores, m, scores.length));
        AttackRoc strongest = shadow.auc() > loss.auc() ? shadow : loss;
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("membershipAuc", strongest.auc());
        out.put("membershipTprAt1Fpr", strongest.tprAt1Fpr());
        out.put("membershipAdvantage", strongest.advantage());
        out.put("membershipLossAuc", loss.auc());
        out.put("membershipLossTprAt1Fpr", loss.tprAt1Fpr());
        out.put("membershipShadowAuc", shadow.auc());
        out.put("membershipShadowTprAt1Fpr", shadow.tprAt1Fpr());
        return out;
    }

    /** The loss-threshold attack alone, on any two sets. */
    public static AttackRoc lossAttack(Graph graph, LabeledImages members, LabeledImages nonMembers) {
        return AttackRoc.of(MembershipScores.negativeLoss(logits(graph, members), members),
                MembershipScores.negativeLoss(logits(graph, nonMembers), nonMembers));
    }

    static float[] logits(Graph graph, LabeledImages images) {
        float[] input = new float[images.count() * images.imageSize()];
        images.copyImages(0, images.count(), input, 0);
        return Calibrator.run(graph, input, images.count());
    }

    private static LabeledImages concat(LabeledImages a, LabeledImages b) {
        byte[] first = a.pixels();
        byte[] second = b.pixels();
        byte[] pixels = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, pixels, first.length, second.length);
        byte[] labels = Arrays.copyOf(a.labels(), a.count() + b.count());
        System.arraycopy(b.labels(), 0, labels, a.count(), b.count());
        return new LabeledImages(pixels, labels, a.rows(), a.cols(), a.classes());
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
