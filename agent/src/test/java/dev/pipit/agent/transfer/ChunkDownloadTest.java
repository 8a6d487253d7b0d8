package dev.pipit.agent.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkDownloadTest {

    private static final int CHUNK = 100;

    @TempDir
    Path dir;

    private final byte[] payload = random(1050); // 10 full chunks and one of 50 bytes
    private final Manifest manifest = manifest(payload, payload);

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(42).nextBytes(b);
        return b;
    }

    /** A manifest binding {@code chunksOf} chunk by chunk and {@code whole} as the payload hash. */
    private static Manifest manifest(byte[] chunksOf, byte[] whole) {
        Variant.Builder v = Variant.newBuilder().setId("int8").setPayloadBytes(chunksOf.length).setChunkBytes(CHUNK)
                .setSha256(ByteString.copyFrom(Chunks.sha256(whole)));
        for (int i = 0; i < Chunks.count(chunksOf.length, CHUNK); i++) {
            v.addChunkSha256(ByteString.copyFrom(Chunks.sha256(chunk(chunksOf, i))));
        }
        return Manifest.newBuilder().setModelId("fashion").setVersion(3).addVariants(v).build();
    }

    private static byte[] chunk(byte[] payload, int i) {
        return Arrays.copyOfRange(payload, i * CHUNK, Math.min(payload.length, (i + 1) * CHUNK));
    }

    private ChunkDownload open() throws IOException {
        return ChunkDownload.open(manifest, manifest.getVariants(0), dir.resolve("int8.partial"));
    }

    @Test
    void accept_everyChunkInAnyOrder_assemblesThePayload() throws Exception {
        try (ChunkDownload d = open()) {
            assertEquals(11, d.chunkCount());
            for (int i : new int[] {10, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9}) {
                assertTrue(d.accept(i, chunk(payload, i)));
            }
            assertTrue(d.complete());
            d.finish();
        }
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("int8.partial")));
    }

    @Test
    void accept_chunkWithWrongHash_isRejectedWithItsIndexAndNothingWritten() throws Exception {
        try (ChunkDownload d = open()) {
            byte[] bad = chunk(payload, 3);
            bad[17] ^= 1;

            BundleException e = assertThrows(BundleException.class, () -> d.accept(3, bad));

            assertEquals("chunk 3 of variant int8 fails its SHA-256", e.getMessage());
            assertEquals(11, d.missingChunks());
            assertEquals(0, Files.size(d.partialFile()));
        }
    }

    @Test
    void accept_chunkWithWrongLength_isRejected() throws Exception {
        try (ChunkDownload d = open()) {
            BundleException e = assertThrows(BundleException.class, () -> d.accept(10, chunk(payload, 9)));

            assertEquals("chunk 10 of variant int8 has 100 bytes, its manifest declares 50", e.getMessage());
        }
    }

    @Test
    void accept_duplicateOrOutOfRange_isIgnored() throws Exception {
        try (ChunkDownload d = open()) {
            assertTrue(d.accept(0, chunk(payload, 0)));
            assertFalse(d.accept(0, chunk(payload, 0)));
            assertFalse(d.accept(11, chunk(payload, 0)));
            assertFalse(d.accept(-1, chunk(payload, 0)));
            assertEquals(10, d.missingChunks());
        }
    }

    @Test
    void finish_chunksCompleteButPayloadHashDiffers_isRejected() throws Exception {
        byte[] other = payload.clone();
        other[0] ^= 1;
        Manifest inconsistent = manifest(payload, other);
        try (ChunkDownload d = ChunkDownload.open(inconsistent, inconsistent.getVariants(0), dir.resolve("x.partial"))) {
            for (int i = 0; i < d.chunkCount(); i++) {
                d.accept(i, chunk(payload, i));
            }

            BundleException e = assertThrows(BundleException.class, d::finish);
            assertTrue(e.getMessage().startsWith("variant int8 payload fails its SHA-256"), e.getMessage());
        }
    }

    @Test
    void finish_chunksMissing_refusesToPromote() throws Exception {
        try (ChunkDownload d = open()) {
            d.accept(0, chunk(payload, 0));

            assertThrows(IllegalStateException.class, d::finish);
        }
    }

    @Test
    void open_partialFileFromInterruptedDownload_resumesWithOnlyMissingChunks() throws Exception {
        try (ChunkDownload first = open()) {
            for (int i : new int[] {0, 1, 2, 5}) {
                first.accept(i, chunk(payload, i));
            }
        }
        try (ChunkDownload resumed = open()) {
            assertEquals(4, resumed.resumedChunks());
            assertEquals(List.of(3, 4, 6), resumed.requestMore(3));
            for (int i : new int[] {3, 4, 6, 7, 8, 9, 10}) {
                assertTrue(resumed.accept(i, chunk(payload, i)));
            }
            resumed.finish();
        }
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("int8.partial")));
    }

    @Test
    void open_partialFileWithCorruptRegion_redownloadsThatChunk() throws Exception {
        Path partial = dir.resolve("int8.partial");
        byte[] damaged = payload.clone();
        damaged[250] ^= 1; // inside chunk 2
        Files.write(partial, damaged);

        try (ChunkDownload d = open()) {
            assertEquals(10, d.resumedChunks());
            assertEquals(List.of(2), d.requestMore(8));
        }
    }

    @Test
    void requestMore_window_keepsAtMostThatManyOutstanding() throws Exception {
        try (ChunkDownload d = open()) {
            assertEquals(List.of(0, 1, 2), d.requestMore(3));
            assertEquals(List.of(), d.requestMore(3));
            d.accept(1, chunk(payload, 1));
            assertEquals(List.of(3), d.requestMore(3));
            assertEquals(List.of(0, 2, 3), d.outstanding());
        }
    }

    @Test
    void discard_deletesThePartialFile() throws Exception {
        ChunkDownload d = open();
        d.accept(0, chunk(payload, 0));

        d.discard();

        assertFalse(Files.exists(dir.resolve("int8.partial")));
    }
}
