package dev.pipit.compress.security;

import dev.pipit.compress.security.evasion.EvasionProbe;
import dev.pipit.compress.security.poisoning.BackdoorScanProbe;
import dev.pipit.compress.security.privacy.MembershipProbe;
import java.util.List;

/** The probes {@code --security} runs, in report order. */
final class SecurityProbes {

    private SecurityProbes() {
    }

    static List<SecurityProbe> prepare(SecurityContext context) {
        return List.of(
                EvasionProbe.prepare(context),
                MembershipProbe.prepare(context),
                BackdoorScanProbe.prepare(context));
    }
}
