package dev.pipit.protocol.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleFileTest {

    @TempDir
    Path dir;

    static Variant variant(String id, byte[] payload, int chunkBytes) {
        Variant.Builder v = Variant.newBuilder().setId(id).setTechnique("test").setPayloadBytes(payload.length)
                .setChunkBytes(chunkBytes).setSha256(ByteString.copyFrom(Chunks.sha256(payload)));
        for (int i = 0; i < Chunks.count(payload.length, chunkBytes); i++) {
            v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(payload, i * chunkBytes, Chunks.size(payload.length, chunkBytes, i))));
        }
        return v.build();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path writeBundle(KeyPair key, byte[] a, byte[] b) throws IOException {
        Manifest m = Manifest.newBuilder().setModelId("m").setVersion(2)
                .addVariants(variant("a", a, 100)).addVariants(variant("b", b, 64)).build();
        Path out = dir.resolve("x.pipit");
        BundleFile.write(out, ManifestSigner.sign(m, key), List.of(a, b));
        return out;
    }

    @Test
    void open_writtenBundle_returnsManifestAndPayloads() throws Exception {
        byte[] a = random(1000, 1);
        byte[] b = random(130, 2);
        Path file = writeBundle(KeyFiles.generate(), a, b);
        BundleFile bundle = BundleFile.open(file, BundleLimits.defaults());
        assertEquals("m", bundle.manifest().getModelId());
        assertArrayEquals(a, bundle.payload("a"));
        assertArrayEquals(b, bundle.payload("b"));
    }

    @Test
    void open_truncatedFile_saysTruncated() throws Exception {
        Path file = writeBundle(KeyFiles.generate(), random(1000, 1), random(130, 2));
        byte[] all = Files.readAllBytes(file);
        for (int cut : new int[] {3, 10, 200, all.length - 1}) {
            Files.write(file, Arrays.copyOf(all, cut));
            BundleException e = assertThrows(BundleException.class, () -> BundleFile.open(file, BundleLimits.defaults()));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("declares"), e.getMessage());
        }
    }

    @Test
    void open_badMagic_rejected() throws Exception {
        Path file = dir.resolve("not.pipit");
        Files.writeString(file, "PK\u0003\u0004 a zip, not a bundle");
        BundleException e = assertThrows(BundleException.class, () -> BundleFile.open(file, BundleLimits.defaults()));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void open_hugeDeclaredManifest_rejectedBeforeAllocation() throws Exception {
        Path file = dir.resolve("huge.pipit");
        Files.write(file, new byte[] {'P', 'I', 'P', 'I', 'T', 'B', '0', '1', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        BundleException e = assertThrows(BundleException.class, () -> BundleFile.open(file, BundleLimits.defaults()));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
    }

    @Test
    void payload_flippedByte_failsHashCheck() throws Exception {
        Path file = writeBundle(KeyFiles.generate(), random(1000, 1), random(130, 2));
        byte[] all = Files.readAllBytes(file);
        all[all.length - 5] ^= 1;
        Files.write(file, all);
        BundleFile bundle = BundleFile.open(file, BundleLimits.defaults());
        BundleException e = assertThrows(BundleException.class, () -> bundle.payload("b"));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void signedManifest_roundTrips_verifies() throws Exception {
        KeyPair key = KeyFiles.generate();
        Path file = writeBundle(key, random(1000, 1), random(130, 2));
        byte[] sm = BundleFile.open(file, BundleLimits.defaults()).signedManifest();
        Manifest m = new ManifestVerifier(List.of(key.getPublic()), BundleLimits.defaults()).verify(sm);
        assertEquals(2, m.getVersion());
        assertEquals(SignedManifest.parseFrom(sm).getManifest(), m.toByteString());
    }
}
