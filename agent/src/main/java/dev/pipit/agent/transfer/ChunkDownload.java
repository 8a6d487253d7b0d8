package dev.pipit.agent.transfer;

import dev.pipit.agent.select.SizeFormat;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One variant payload being assembled on disk. Each chunk is checked against its manifest length and
 * SHA-256 and written at its offset into a partial file; the payload is never held in memory. Opening
 * an existing partial file keeps every chunk whose bytes already verify, so an interrupted download
 * resumes by asking only for what is missing.
 */
public final class ChunkDownload implements AutoCloseable {

    private static final int HASH_BUFFER = 64 * 1024;

    private final Manifest manifest;
    private final Variant variant;
    private final Path partial;
    private final FileChannel channel;
    private final int count;
    private final BitSet present = new BitSet();
    private final BitSet requested = new BitSet();
    private final int resumed;

    private ChunkDownload(Manifest manifest, Variant variant, Path partial) throws IOException {
        this.manifest = manifest;
        this.variant = variant;
        this.partial = partial;
        this.count = Chunks.count(variant.getPayloadBytes(), variant.getChunkBytes());
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            if (channel.size() > variant.getPayloadBytes()) {
                channel.truncate(variant.getPayloadBytes());
            }
            long needed = variant.getPayloadBytes() - channel.size();
            long usable = Files.getFileStore(partial).getUsableSpace();
            if (needed > usable) {
                throw new IOException("not enough disk space: " + SizeFormat.bytes(needed) + " more needed, "
                        + SizeFormat.bytes(usable) + " free");
            }
            scan();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.resumed = present.cardinality();
    }

    /** Opens (or resumes) the download of one variant of a verified manifest into {@code partial}. */
    public static ChunkDownload open(Manifest manifest, Variant variant, Path partial) throws IOException {
        return new ChunkDownload(manifest, variant, partial);
    }

    public Manifest manifest() {
        return manifest;
    }

    public Variant variant() {
        return variant;
    }

    public Path partialFile() {
        return partial;
    }

    public int chunkCount() {
        return count;
    }

    /** Chunks found already verified on disk when the download was opened. */
    public int resumedChunks() {
        return resumed;
    }

    public int missingChunks() {
        return count - present.cardinality();
    }

    public boolean complete() {
        return present.cardinality() == count;
    }

    /** Whether chunk {@code index} was asked for and has not been stored yet. */
    public boolean wanted(int index) {
        return index >= 0 && index < count && requested.get(index) && !present.get(index);
    }

    /** Whether a chunk topic belongs to this download. */
    public boolean matches(ChunkTopic t) {
        return t.modelId().equals(manifest.getModelId()) && t.version() == manifest.getVersion()
                && t.variantId().equals(variant.getId());
    }

    public String topic(int index) {
        return new ChunkTopic(manifest.getModelId(), manifest.getVersion(), variant.getId(), index).topic();
    }

    /**
     * Marks more missing chunks as requested so that at most {@code window} are outstanding; returns the
     * newly requested indices.
     */
    public List<Integer> requestMore(int window) {
        List<Integer> more = new ArrayList<>();
        int outstanding = outstanding().size();
        for (int i = present.nextClearBit(0); i < count && outstanding < window; i = present.nextClearBit(i + 1)) {
            if (!requested.get(i)) {
                requested.set(i);
                more.add(i);
                outstanding++;
            }
        }
        return more;
    }

    /** Requested chunks not yet received. */
    public List<Integer> outstanding() {
        List<Integer> out = new ArrayList<>();
        for (int i = requested.nextSetBit(0); i >= 0; i = requested.nextSetBit(i + 1)) {
            if (!present.get(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Verifies and writes one chunk.
     *
     * @return false for a chunk already written or outside the payload (a re-delivery: ignored)
     * @throws BundleException if its length or SHA-256 differs from the manifest: the download is void
     */
    public boolean accept(int index, byte[] data) throws BundleException, IOException {
        if (index < 0 || index >= count || present.get(index)) {
            return false;
        }
        int expected = Chunks.size(variant.getPayloadBytes(), variant.getChunkBytes(), index);
        if (data.length != expected) {
            throw new BundleException("chunk " + index + " of variant " + variant.getId() + " has " + data.length
                    + " bytes, its manifest declares " + expected);
        }
        if (!MessageDigest.isEqual(Chunks.sha256(data), variant.getChunkSha256(index).toByteArray())) {
            throw new BundleException("chunk " + index + " of variant " + variant.getId() + " fails its SHA-256");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        long position = (long) index * variant.getChunkBytes();
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
        present.set(index);
        return true;
    }

    /**
     * Checks the whole payload's SHA-256 and fsyncs the partial file, which may then be moved into the store.
     *
     * @throws BundleException if the chunks are complete but the payload hash differs (an inconsistent manifest)
     */
    public void finish() throws BundleException, IOException {
        if (!complete()) {
            throw new IllegalStateException(missingChunks() + " chunks are still missing");
        }
        MessageDigest d = Chunks.sha256();
        ByteBuffer buf = ByteBuffer.allocate(HASH_BUFFER);
        for (long pos = 0; pos < variant.getPayloadBytes(); ) {
            buf.clear();
            int n = channel.read(buf, pos);
            if (n < 0) {
                break;
            }
            d.update(buf.array(), 0, n);
            pos += n;
        }
        if (!MessageDigest.isEqual(d.digest(), variant.getSha256().toByteArray())) {
            throw new BundleException("variant " + variant.getId() + " payload fails its SHA-256 although every"
                    + " chunk verified (the manifest is inconsistent)");
        }
        channel.force(true);
        channel.close();
    }

    /** Stops writing and keeps the partial file, so a later download of the same variant resumes. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Stops writing and deletes the partial file. */
    public void discard() throws IOException {
        channel.close();
        Files.deleteIfExists(partial);
    }

    @Override
    public String toString() {
        return manifest.getModelId() + " v" + manifest.getVersion() + " " + variant.getId();
    }

    /** Marks the chunks already on disk whose bytes match their SHA-256. */
    private void scan() throws IOException {
        long size = channel.size();
        ByteBuffer buf = null;
        for (int i = 0; i < count; i++) {
            long start = (long) i * variant.getChunkBytes();
            int length = Chunks.size(variant.getPayloadBytes(), variant.getChunkBytes(), i);
            if (start + length > size) {
                break;
            }
            if (buf == null) {
                buf = ByteBuffer.allocate(variant.getChunkBytes());
            }
            buf.clear().limit(length);
            while (buf.hasRemaining() && channel.read(buf, start + buf.position()) >= 0) {
                // positional reads until the chunk is in
            }
            if (MessageDigest.isEqual(Chunks.sha256(buf.array(), 0, length), variant.getChunkSha256(i).toByteArray())) {
                present.set(i);
            }
        }
    }
}
