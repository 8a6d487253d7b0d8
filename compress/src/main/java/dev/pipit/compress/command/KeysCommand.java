package dev.pipit.compress.command;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.RootSigner;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.SignedManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipit keys}: signing keys and the root of trust (docs/security.md). Only public keys and signed
 * root metadata go to devices; private keys stay with their holders on the fleet side.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage signing keys and the root of trust.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Root.class, KeysCommand.Revoke.class, KeysCommand.Sign.class})
public final class KeysCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new IllegalArgumentException("keys needs a subcommand: generate, root, revoke, sign");
    }

    /** {@code pipit keys generate --out DIR}: a new Ed25519 key pair. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate an Ed25519 key pair: DIR/NAME.key (private, keep it secret) and DIR/NAME.pub.")
    public static final class Generate implements Callable<Integer> {

        @Option(names = "--out", required = true, description = "Directory to write the key pair into.")
        Path dir;

        @Option(names = "--name", defaultValue = "signing", description = "File name of the pair (default ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--force", description = "Replace an existing key pair.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Path key = dir.resolve(name + ".key");
            Path pub = dir.resolve(name + ".pub");
            if (!force && (Files.exists(key) || Files.exists(pub))) {
                throw new IllegalArgumentException(key + " or " + pub + " already exists; pass --force to replace it");
            }
            Files.createDirectories(dir);
            KeyPair pair = KeyFiles.generate();
            KeyFiles.writeSigningKey(key, pair);
            KeyFiles.writePublic(pub, pair.getPublic());
            System.out.println("wrote " + key + " and " + pub + " (key id " + KeyFiles.keyId(pair.getPublic()) + ")");
            return 0;
        }
    }

    /** {@code pipit keys root}: root metadata. */
    @Command(name = "root", mixinStandardHelpOptions = true, description = "Create, rotate or show root metadata.",
            subcommands = {RootInit.class, RootRotate.class, RootShow.class})
    public static final class Root implements Callable<Integer> {

        @Override
        public Integer call() {
            throw new IllegalArgumentException("keys root needs a subcommand: init, rotate, show");
        }
    }

    /** {@code pipit keys root init}: the first root (version 1). */
    @Command(name = "init", mixinStandardHelpOptions = true, description = {
            "Create the first root metadata: the root keys (K of them must sign every later root) and the release keys "
                    + "(N of them must sign every manifest). Install the output on devices (agent --trust).",
            "Example: pipit keys root init --keys r1.pub,r2.pub,r3.pub --threshold 2 --release-keys release.pub "
                    + "--expires 365 --sign r1.key,r2.key --out root.json"})
    public static final class RootInit implements Callable<Integer> {

        @Option(names = "--keys", required = true, split = ",", paramLabel = "PUB", description = "Root public keys.")
        List<Path> keys;

        @Option(names = "--threshold", required = true, description = "Root keys that must sign the next root.")
        int threshold;

        @Option(names = "--release-keys", required = true, split = ",", paramLabel = "PUB", description = "Release public keys.")
        List<Path> releaseKeys;

        @Option(names = "--release-threshold", defaultValue = "1", description = "Release keys that must sign a manifest "
                + "(default ${DEFAULT-VALUE}).")
        int releaseThreshold;

        @Option(names = "--expires", required = true, paramLabel = "DAYS", description = "Days until the root expires.")
        int expiresDays;

        @Option(names = "--sign", required = true, split = ",", paramLabel = "KEY", description = "Root private keys to sign with.")
        List<Path> sign;

        @Option(names = "--out", required = true, description = "root.json (readable) or another name (binary).")
        Path out;

        @Override
        public Integer call() throws Exception {
            long now = System.currentTimeMillis();
            RootSigner.Spec spec = new RootSigner.Spec(1, now, expiry(now, expiresDays), publicKeys(keys), threshold,
                    publicKeys(releaseKeys), releaseThreshold, java.util.Set.of());
            return written(out, RootSigner.init(spec, signingKeys(sign)));
        }
    }

    /** {@code pipit keys root rotate}: the next root, signed by the old threshold and the new. */
    @Command(name = "rotate", mixinStandardHelpOptions = true, description = {
            "Write the root that follows --root (version + 1): new root or release keys, thresholds or expiry; what is not "
                    + "given is kept. It must be signed by a threshold of the old root keys and a threshold of the new ones.",
            "Devices receive it attached to the next release (pipit compress --root, pipit keys sign --root)."})
    public static final class RootRotate implements Callable<Integer> {

        @Option(names = "--root", required = true, description = "The current root metadata.")
        Path root;

        @Option(names = "--keys", split = ",", paramLabel = "PUB", description = "New root public keys.")
        List<Path> keys;

        @Option(names = "--threshold", description = "New root threshold.")
        Integer threshold;

        @Option(names = "--release-keys", split = ",", paramLabel = "PUB", description = "New release public keys.")
        List<Path> releaseKeys;

        @Option(names = "--release-threshold", description = "New release threshold.")
        Integer releaseThreshold;

        @Option(names = "--expires", paramLabel = "DAYS", description = "Days until the new root expires (default: keep).")
        Integer expiresDays;

        @Option(names = "--sign", required = true, split = ",", paramLabel = "KEY",
                description = "Private keys: a threshold of the old root keys and of the new.")
        List<Path> sign;

        @Option(names = "--out", required = true, description = "Where to write the new root.")
        Path out;

        @Override
        public Integer call() throws Exception {
            TrustRoot current = readRoot(root);
            long now = System.currentTimeMillis();
            RootSigner.Spec spec = RootSigner.spec(current, now)
                    .next(now, expiresDays == null ? current.expiresEpochMillis() : expiry(now, expiresDays));
            if (keys != null || threshold != null) {
                spec = spec.withRoot(keys == null ? spec.rootKeys() : publicKeys(keys), threshold == null ? spec.rootThreshold() : threshold);
            }
            if (releaseKeys != null || releaseThreshold != null) {
                spec = spec.withRelease(releaseKeys == null ? spec.releaseKeys() : publicKeys(releaseKeys),
                        releaseThreshold == null ? spec.releaseThreshold() : releaseThreshold);
            }
            return written(out, RootSigner.rotate(current, spec, signingKeys(sign)));
        }
    }

    /** {@code pipit keys root show}: what a root says. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Verify root metadata and show its roles.")
    public static final class RootShow implements Callable<Integer> {

        @Option(names = "--root", required = true, description = "Root metadata (.json or binary).")
        Path root;

        @Option(names = "--json", description = "Print the root as one JSON document.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            TrustRoot r = readRoot(root);
            System.out.print(json ? RootFiles.toJson(r.signedRoot()) : r + "\n  root keys    " + r.rootRole().keyIds()
                    + "\n  release keys " + r.releaseRole().keyIds() + "\n  revoked      " + r.revokedKeyIds() + "\n");
            return 0;
        }
    }

    /** {@code pipit keys revoke}: the next root without the given keys, which are revoked for good. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = {
            "Write the root that follows --root with the given keys removed from every role and revoked for good. Devices "
                    + "that receive it refuse every manifest those keys sign, and every later root must keep the revocation.",
            "Publish a release signed by a remaining release key afterwards: a device restarted on a model signed by a "
                    + "revoked key refuses to restore it."})
    public static final class Revoke implements Callable<Integer> {

        @Option(names = "--root", required = true, description = "The current root metadata.")
        Path root;

        @Option(names = "--key", required = true, split = ",", paramLabel = "PUB", description = "Public key(s) to revoke.")
        List<Path> revoke;

        @Option(names = "--release-keys", split = ",", paramLabel = "PUB", description = "Release keys to add in their place.")
        List<Path> releaseKeys;

        @Option(names = "--expires", paramLabel = "DAYS", description = "Days until the new root expires (default: keep).")
        Integer expiresDays;

        @Option(names = "--sign", required = true, split = ",", paramLabel = "KEY",
                description = "Private keys: a threshold of the old root keys and of the new.")
        List<Path> sign;

        @Option(names = "--out", required = true, description = "Where to write the new root.")
        Path out;

        @Override
        public Integer call() throws Exception {
            TrustRoot current = readRoot(root);
            long now = System.currentTimeMillis();
            RootSigner.Spec spec = RootSigner.spec(current, now)
                    .next(now, expiresDays == null ? current.expiresEpochMillis() : expiry(now, expiresDays));
            if (releaseKeys != null) {
                List<PublicKey> release = new ArrayList<>(spec.releaseKeys());
                release.addAll(publicKeys(releaseKeys));
                spec = spec.withRelease(release, spec.releaseThreshold());
            }
            for (PublicKey k : publicKeys(revoke)) {
                String id = KeyFiles.keyId(k);
                if (!current.keys().containsKey(id)) {
                    throw new IllegalArgumentException("key " + id + " is not in " + root + "; nothing to revoke");
                }
                spec = spec.revoke(id);
            }
            return written(out, RootSigner.rotate(current, spec, signingKeys(sign)));
        }
    }

    /** {@code pipit keys sign}: more release signatures, or a root chain, on an existing bundle. */
    @Command(name = "sign", mixinStandardHelpOptions = true, description = {
            "Add release signatures to a bundle (each key holder signs in turn until the release threshold is met) "
                    + "and/or attach the root chain devices need (--root, oldest first). The bundle is rewritten in place."})
    public static final class Sign implements Callable<Integer> {

        @Option(names = "--bundle", required = true, description = "The bundle to sign.")
        Path bundle;

        @Option(names = "--key", split = ",", paramLabel = "KEY", description = "Release private key(s) to sign with.")
        List<Path> keys = List.of();

        @Option(names = "--root", split = ",", paramLabel = "ROOT",
                description = "Root metadata files, oldest first; the newest must authorise the keys.")
        List<Path> roots = List.of();

        @Override
        public Integer call() throws Exception {
            if (keys.isEmpty() && roots.isEmpty()) {
                throw new IllegalArgumentException("give --key to sign and/or --root to attach a root chain");
            }
            List<KeyPair> pairs = signingKeys(keys);
            List<byte[]> chain = rootChain(roots);
            String missing = authorise(chain, pairs);
            BundleLimits limits = BundleLimits.defaults();
            BundleFile file = BundleFile.open(bundle, limits);
            SignedManifest signed = SignedManifest.parseFrom(file.signedManifest());
            signed = ManifestSigner.addSignatures(signed, pairs);
            if (!chain.isEmpty()) {
                signed = ManifestSigner.withRoots(signed, chain);
            }
            BundleFile.replaceSignedManifest(bundle, signed, limits);
            System.out.println("signed " + bundle + ": " + signed.getSignaturesCount() + " signature(s), " + signed.getRootsCount()
                    + " root(s) attached" + missing);
            return 0;
        }
    }

    /**
     * Checks the keys against the newest root of a chain (also that the chain verifies in order).
     *
     * @return a note on signatures still missing, or ""
     */
    static String authorise(List<byte[]> chain, List<KeyPair> keys) throws BundleException {
        if (chain.isEmpty()) {
            return "";
        }
        TrustRoot root = TrustRoot.installed(chain.get(0));
        for (byte[] next : chain.subList(1, chain.size())) {
            root = root.next(next);
        }
        if (keys.isEmpty()) {
            return "";
        }
        int missing = ManifestSigner.requireReleaseKeys(root, keys, System.currentTimeMillis());
        return missing == 0 ? "" : "; " + missing + " more release signature(s) needed (pipit keys sign --key ...)";
    }

    /** A bundle just written with the first key: signed by the others too, the root chain attached. */
    static SignedManifest signed(Path bundle, SignedManifest signed, List<KeyPair> keys, List<byte[]> chain)
            throws IOException, BundleException {
        if (keys.size() < 2 && chain.isEmpty()) {
            return signed;
        }
        SignedManifest all = ManifestSigner.withRoots(ManifestSigner.addSignatures(signed, keys), chain);
        BundleFile.replaceSignedManifest(bundle, all, BundleLimits.defaults());
        return all;
    }

    /** Serialized SignedRoots of the given files, in order. */
    static List<byte[]> rootChain(List<Path> files) throws IOException {
        List<byte[]> chain = new ArrayList<>();
        for (Path p : files) {
            chain.add(RootFiles.read(p));
        }
        return chain;
    }

    static List<KeyPair> signingKeys(List<Path> files) throws IOException {
        List<KeyPair> pairs = new ArrayList<>();
        for (Path p : files) {
            pairs.add(KeyFiles.readSigningKey(p));
        }
        return pairs;
    }

    private static List<PublicKey> publicKeys(List<Path> files) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : files) {
            keys.add(KeyFiles.readPublic(p));
        }
        return keys;
    }

    private static TrustRoot readRoot(Path file) throws IOException, BundleException {
        try {
            return TrustRoot.installed(RootFiles.read(file));
        } catch (BundleException e) {
            throw new BundleException(file + ": " + e.getMessage());
        }
    }

    private static long expiry(long now, int days) {
        if (days < 1) {
            throw new IllegalArgumentException("--expires must be at least 1 day");
        }
        return now + Duration.ofDays(days).toMillis();
    }

    private static int written(Path out, byte[] signedRoot) throws IOException, BundleException {
        RootFiles.write(out, signedRoot);
        System.out.println("wrote " + out + ": " + TrustRoot.installed(signedRoot));
        return 0;
    }
}
