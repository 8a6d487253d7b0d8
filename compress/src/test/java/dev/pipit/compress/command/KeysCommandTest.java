package dev.pipit.compress.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.compress.TestData;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestSigner;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.trust.RootFiles;
import dev.pipit.protocol.trust.TrustRoot;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pipit keys}: a 2-of-3 root, release keys, rotation, revocation, threshold signing of bundles. */
class KeysCommandTest {

    @TempDir
    Path dir;

    /** Runs a command: its exit code and what it printed on stdout and stderr. */
    private record Run(int code, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        PrintStream savedOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = new CommandLine(command);
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err));
            cl.setExecutionExceptionHandler((e, c, p) -> {
                c.getErr().println(e.getMessage());
                return 1;
            });
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(savedOut);
        }
    }

    private String keys(String name) {
        return dir.resolve(name + ".key").toString();
    }

    private String pub(String name) {
        return dir.resolve(name + ".pub").toString();
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    @BeforeEach
    void keyHolders() {
        for (String name : List.of("r1", "r2", "r3", "rel1", "rel2")) {
            assertEquals(0, run(new KeysCommand(), "generate", "--out", dir.toString(), "--name", name).code());
        }
        Run init = run(new KeysCommand(), "root", "init", "--keys", pub("r1") + "," + pub("r2") + "," + pub("r3"),
                "--threshold", "2", "--release-keys", pub("rel1"), "--expires", "30", "--sign", keys("r1") + "," + keys("r2"),
                "--out", file("root.json"));
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().contains("root v1 (root keys 2 of 3, release keys 1 of 1"), init.out());
    }

    /** A small bundle signed by {@code key}, as compress writes one. */
    private Path bundle(String name, long version, String key) throws Exception {
        byte[] payload = new byte[300];
        new java.util.Random(version).nextBytes(payload);
        Variant.Builder v = Variant.newBuilder().setId("int8").setPayloadBytes(payload.length).setChunkBytes(128)
                .setSha256(ByteString.copyFrom(Chunks.sha256(payload)));
        for (int i = 0; i < 3; i++) {
            v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, i * 128, Chunks.size(payload.length, 128, i))));
        }
        Manifest m = Manifest.newBuilder().setModelId("fmnist").setVersion(version).addVariants(v).build();
        Path out = dir.resolve(name);
        BundleFile.write(out, ManifestSigner.sign(m, KeyFiles.readSigningKey(Path.of(key))), List.of(payload));
        return out;
    }

    private ManifestVerifier device() throws Exception {
        return ManifestVerifier.open(List.of(dir.resolve("root.json")), dir.resolve("device-root.pb"), BundleLimits.defaults());
    }

    private static byte[] signedManifest(Path bundle) throws Exception {
        return BundleFile.open(bundle, BundleLimits.defaults()).signedManifest();
    }

    @Test
    void rootInit_belowThreshold_refusedAndNothingWritten() {
        Run r = run(new KeysCommand(), "root", "init", "--keys", pub("r1") + "," + pub("r2"), "--threshold", "2",
                "--release-keys", pub("rel1"), "--expires", "30", "--sign", keys("r1"), "--out", file("weak.json"));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("1 valid signature by its own root keys, 2 required"), r.err());
        assertFalse(Files.exists(dir.resolve("weak.json")));
    }

    @Test
    void rootShow_json_printsTheRootHolding_onlyPublicKeys() throws Exception {
        Run r = run(new KeysCommand(), "root", "show", "--root", file("root.json"), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(dir.resolve("root.json")), r.out());
        assertFalse(r.out().contains("PRIVATE"));
        String privateDer = java.util.Base64.getEncoder().encodeToString(KeyFiles.readSigningKey(Path.of(keys("r1")))
                .getPrivate().getEncoded());
        assertFalse(r.out().contains(privateDer.substring(privateDer.length() - 20)));
    }

    @Test
    void revoke_releaseKey_deviceRotatesFromTheAttachedChainAndRefusesTheRevokedKey() throws Exception {
        Run revoke = run(new KeysCommand(), "revoke", "--root", file("root.json"), "--key", pub("rel1"), "--release-keys",
                pub("rel2"), "--sign", keys("r1") + "," + keys("r3"), "--out", file("root-2.json"));
        assertEquals(0, revoke.code(), revoke.err());

        Path v2 = bundle("v2.pipit", 2, keys("rel1"));
        Run sign = run(new KeysCommand(), "sign", "--bundle", v2.toString(), "--key", keys("rel2"), "--root",
                file("root.json") + "," + file("root-2.json"));
        assertEquals(0, sign.code(), sign.err());
        assertEquals(2, SignedManifest.parseFrom(signedManifest(v2)).getRootsCount());

        ManifestVerifier device = device();
        assertEquals(2, device.verify(signedManifest(v2)).getVersion()); // rel2's signature counts, rel1's does not
        assertEquals(2, device.root().version());
        Path v3 = bundle("v3.pipit", 3, keys("rel1"));
        String why = assertThrows(BundleException.class, () -> device().verify(signedManifest(v3))).getMessage();
        assertEquals("manifest is signed by revoked key " + KeyFiles.keyId(KeyFiles.readPublic(Path.of(pub("rel1")))), why);

        Run again = run(new KeysCommand(), "sign", "--bundle", v3.toString(), "--key", keys("rel1"), "--root",
                file("root.json") + "," + file("root-2.json"));
        assertNotEquals(0, again.code());
        assertTrue(again.err().contains("is revoked by root v2"), again.err());
    }

    @Test
    void rootRotate_newReleaseThreshold_bundleNeedsBothHolders() throws Exception {
        Run rotate = run(new KeysCommand(), "root", "rotate", "--root", file("root.json"), "--release-keys",
                pub("rel1") + "," + pub("rel2"), "--release-threshold", "2", "--sign", keys("r2") + "," + keys("r3"),
                "--out", file("root-2.pb"));
        assertEquals(0, rotate.code(), rotate.err());
        Path b = bundle("b.pipit", 5, keys("rel1"));
        Run first = run(new KeysCommand(), "sign", "--bundle", b.toString(), "--key", keys("rel1"), "--root",
                file("root.json") + "," + file("root-2.pb"));
        assertTrue(first.out().contains("1 more release signature(s) needed"), first.out());
        String why = assertThrows(BundleException.class, () -> device().verify(signedManifest(b))).getMessage();
        assertEquals("manifest has 1 valid release signature, 2 required", why);

        assertEquals(0, run(new KeysCommand(), "sign", "--bundle", b.toString(), "--key", keys("rel2")).code());
        assertEquals(5, device().verify(signedManifest(b)).getVersion());
        assertEquals(5, BundleFile.open(b, BundleLimits.defaults()).manifest().getVersion()); // payloads intact
        BundleFile.open(b, BundleLimits.defaults()).payload("int8");
    }

    @Test
    void rootRotate_signedByNewKeysOnly_refused() throws Exception {
        run(new KeysCommand(), "generate", "--out", dir.toString(), "--name", "n1");
        run(new KeysCommand(), "generate", "--out", dir.toString(), "--name", "n2");
        Run r = run(new KeysCommand(), "root", "rotate", "--root", file("root.json"), "--keys", pub("n1") + "," + pub("n2"),
                "--sign", keys("n1") + "," + keys("n2"), "--out", file("takeover.json"));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("0 valid signatures by root v1's root keys, 2 required"), r.err());
        assertFalse(Files.exists(dir.resolve("takeover.json")));
        assertEquals(1, TrustRoot.installed(RootFiles.read(dir.resolve("root.json"))).version());
    }

    @Test
    void compress_rootAuthorisedReleaseKey_signsAndAttachesTheRoot() throws Exception {
        Path out = dir.resolve("mlp.pipit");
        Run r = run(new CompressCommand(), "--onnx", TestData.model("mlp_fp32.onnx").toString(), "--variants", "fp32",
                "--key", keys("rel1"), "--root", file("root.json"), "--out", out.toString(), "--model-id", "fashion-mlp");
        assertEquals(0, r.code(), r.err());
        SignedManifest signed = SignedManifest.parseFrom(signedManifest(out));
        assertEquals(1, signed.getRootsCount());
        assertEquals("fashion-mlp", device().verify(signed.toByteArray()).getModelId());
    }

    @Test
    void compress_keyTheRootDoesNotAuthorise_refusedBeforeAnyWork() {
        Run r = run(new CompressCommand(), "--onnx", TestData.model("mlp_fp32.onnx").toString(), "--variants", "fp32",
                "--key", keys("r1"), "--root", file("root.json"), "--out", file("never.pipit"));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("is not a release key of root v1"), r.err());
        assertFalse(Files.exists(dir.resolve("never.pipit")));
    }
}
