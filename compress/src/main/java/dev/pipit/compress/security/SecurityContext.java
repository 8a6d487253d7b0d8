package dev.pipit.compress.security;

import dev.pipit.compress.data.LabeledImages;
import dev.pipit.compress.train.Network;
import java.io.PrintStream;

/**
 * What every attack works from. Attacks run in the toolkit on the fleet side, never on devices.
 *
 * @param parent the fp32 parent in trainable form: white-box attacks take its gradients and the adversarial
 *               examples they craft are transferred to every variant
 * @param members images the parent was trained on (the membership attack's members)
 * @param nonMembers held-out images the parent never saw (non-members; also the evasion images)
 * @param images how many images each attack uses (at least 1,000 for the documented figures)
 * @param seed seeds every random choice
 * @param threads threads for crafting and shadow training
 * @param log progress (stderr)
 */
public record SecurityContext(Network parent, LabeledImages members, LabeledImages nonMembers, int images, long seed,
                              int threads, PrintStream log) {

    public SecurityContext {
        if (images < 1 || images > nonMembers.count() || images > members.count()) {
            throw new IllegalArgumentException("security images must be between 1 and " + Math.min(nonMembers.count(),
                    members.count()) + ", not " + images);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
    }
}
