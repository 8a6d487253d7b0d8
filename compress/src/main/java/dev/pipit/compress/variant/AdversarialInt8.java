package dev.pipit.compress.variant;

import dev.pipit.compress.quantize.WeightQuantizer;
import dev.pipit.compress.security.evasion.AdversarialTraining;
import dev.pipit.compress.security.evasion.EvasionProbe;
import dev.pipit.compress.train.GraphLowering;
import dev.pipit.compress.train.Network;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The evasion defense: PGD adversarial fine-tuning of the parent ({@link AdversarialTraining}, ε as the
 * evaluation's, 5 attack steps, half of every batch adversarial), then static int8 as {@link StaticInt8},
 * calibrated on clean images. Its own budget of {@value #EPOCHS} epoch(s) (a PGD epoch costs about three
 * clean ones), independent of {@code --fine-tune-epochs}.
 */
final class AdversarialInt8 implements Technique {

    static final int EPOCHS = 1;
    static final int ATTACK_STEPS = 5;
    static final float RATE = 1e-3f;

    @Override
    public String id() {
        return "adv-pgd";
    }

    @Override
    public VariantResult build(CompressionContext context) {
        Network net = context.trainable();
        long start = System.nanoTime();
        new AdversarialTraining(EvasionProbe.EPSILON, ATTACK_STEPS, EPOCHS, RATE, 128, context.seed(), context.threads())
                .fineTune(net, context.train(), context.log());
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("epsilon", EvasionProbe.EPSILON);
        details.put("attackSteps", ATTACK_STEPS);
        details.put("epochs", EPOCHS);
        details.put("trainImages", context.train().count());
        details.put("adversarialFraction", 0.5);
        details.put("learningRate", RATE);
        details.put("fineTuneSeconds", Math.round(seconds));
        details.put("threads", context.threads());
        return context.quantize(GraphLowering.toGraph(net), WeightQuantizer.perChannel(), String.format(Locale.ROOT,
                "static int8 after %d epoch(s) of PGD adversarial fine-tuning (ε %.2f, %d steps, half of each batch "
                        + "adversarial, Adam %.0e cosine; %.0f s on %d threads)", EPOCHS, EvasionProbe.EPSILON, ATTACK_STEPS,
                RATE, seconds, context.threads()), details);
    }
}
