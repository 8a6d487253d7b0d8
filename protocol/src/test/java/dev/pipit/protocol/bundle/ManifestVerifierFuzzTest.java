package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.testing.Bounded;
import dev.pipit.protocol.testing.Mutator;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link ManifestVerifier#verify} on any bytes gives a manifest or a BundleException, within a deadline;
 * and no damage to a signed manifest (threshold 2, carrying a root rotation) makes it accept a manifest
 * other than the one that was signed.
 */
class ManifestVerifierFuzzTest {

    private static final Duration LIMIT = Duration.ofSeconds(5);
    private static final long NOW = System.currentTimeMillis();
    private static final KeyPair ROOT = KeyFiles.generate();
    private static final KeyPair RELEASE_A = KeyFiles.generate();
    private static final KeyPair RELEASE_B = KeyFiles.generate();
    private static final TrustRoot V1;
    private static final byte[] ROOT_V2;
    private static final Manifest MANIFEST = Manifest.newBuilder().setModelId("fmnist").setVersion(9)
            .setExpiresEpochMillis(NOW + 86_400_000L)
            .addVariants(BundleFileTest.variant("int8", BundleFileTest.random(500, 3), 128)).build();
    private static final byte[] SIGNED;

    static {
        try {
            RootSigner.Spec spec = new RootSigner.Spec(1, NOW, NOW + 86_400_000L, List.of(ROOT.getPublic()), 1,
                    List.of(RELEASE_A.getPublic(), RELEASE_B.getPublic()), 2, Set.of());
            V1 = TrustRoot.installed(RootSigner.init(spec, List.of(ROOT)));
            ROOT_V2 = RootSigner.rotate(V1, spec.next(NOW, NOW + 2 * 86_400_000L), List.of(ROOT));
            SIGNED = ManifestSigner.sign(MANIFEST, List.of(RELEASE_A, RELEASE_B), List.of(ROOT_V2)).toByteArray();
        } catch (BundleException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Object verify(byte[] bytes) {
        ManifestVerifier verifier = new ManifestVerifier(V1, BundleLimits.defaults());
        return Bounded.within(LIMIT, () -> verifier.verifyUpdate(bytes, NOW));
    }

    @Property
    void verify_anyBytes_manifestOrBundleException(@ForAll @Size(max = 4096) byte[] bytes) {
        Object r = verify(bytes);
        assertTrue(r instanceof BundleException, () -> "undocumented outcome " + r);
    }

    @Property
    void verify_damagedSignedManifest_refusedOrTheSignedManifest(@ForAll long seed,
                                                                 @ForAll @IntRange(min = 1, max = 4) int mutations) {
        Object r = verify(Mutator.mutate(SIGNED, seed, mutations));
        if (r instanceof Manifest m) {
            assertEquals(MANIFEST, m, "a damaged manifest was accepted as another manifest");
        } else {
            assertTrue(r instanceof BundleException, () -> "undocumented outcome " + r);
        }
    }

    @Example
    void verify_undamaged_accepted() {
        assertEquals(MANIFEST, verify(SIGNED));
    }
}
