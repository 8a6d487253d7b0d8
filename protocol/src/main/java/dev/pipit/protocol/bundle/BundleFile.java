package dev.pipit.protocol.bundle;

import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * The bundle container: {@code "PIPITB01"}, a big-endian uint32 length, the SignedManifest, then each
 * variant payload in manifest order. Reading checks the layout against the manifest's declared sizes;
 * it does not check signatures (a {@link ManifestVerifier} does).
 */
public final class BundleFile {

    static final byte[] MAGIC = "PIPITB01".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final byte[] signedManifest;
    private final Manifest manifest;
    private final long payloadStart;

    private BundleFile(Path file, byte[] signedManifest, Manifest manifest, long payloadStart) {
        this.file = file;
        this.signedManifest = signedManifest;
        this.manifest = manifest;
        this.payloadStart = payloadStart;
    }

    /** Writes a bundle atomically (temporary file, then rename). */
    public static void write(Path out, SignedManifest signed, List<byte[]> payloads) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        byte[] sm = signed.toByteArray();
        try (OutputStream os = Files.newOutputStream(tmp);
             DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
            d.write(MAGIC);
            d.writeInt(sm.length);
            d.write(sm);
            for (byte[] p : payloads) {
                d.write(p);
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Opens a bundle, reading only its header and manifest. */
    public static BundleFile open(Path file, BundleLimits limits) throws IOException, BundleException {
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
            byte[] magic = new byte[MAGIC.length];
            d.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BundleException(file + " is not a Pipit bundle (bad magic)");
            }
            int length = d.readInt();
            if (length < 0 || length > limits.maxManifestBytes() || length > size - MAGIC.length - 4) {
                throw new BundleException(file + " declares a manifest of " + Integer.toUnsignedString(length)
                        + " bytes, more than the file or the limit of " + limits.maxManifestBytes() + " allows");
            }
            byte[] signed = new byte[length];
            d.readFully(signed);
            SignedManifest sm = ManifestVerifier.parseSigned(signed);
            Manifest m = ManifestVerifier.validate(ManifestVerifier.parseManifest(sm.getManifest().toByteArray()), limits);
            long start = MAGIC.length + 4L + length;
            long declared = start;
            for (Variant v : m.getVariantsList()) {
                declared += v.getPayloadBytes();
            }
            if (declared != size) {
                throw new BundleException(file + " holds " + size + " bytes but its manifest declares " + declared
                        + (size < declared ? " (truncated)" : " (trailing data)"));
            }
            return new BundleFile(file, signed, m, start);
        } catch (EOFException e) {
            throw new BundleException(file + " is truncated");
        }
    }

    /**
     * Replaces the bundle's SignedManifest with one carrying the same manifest bytes (more signatures, an
     * attached root chain), atomically; the payloads are copied unchanged.
     */
    public static void replaceSignedManifest(Path file, SignedManifest signed, BundleLimits limits)
            throws IOException, BundleException {
        BundleFile old = open(file, limits);
        if (!signed.getManifest().equals(ManifestVerifier.parseSigned(old.signedManifest).getManifest())) {
            throw new BundleException("the new signed manifest carries other manifest bytes than " + file);
        }
        byte[] sm = signed.toByteArray();
        if (sm.length > limits.maxManifestBytes()) {
            throw new BundleException("signed manifest of " + sm.length + " bytes exceeds the limit of "
                    + limits.maxManifestBytes());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(MAGIC.length + 4 + sm.length);
            head.put(MAGIC).putInt(sm.length).put(sm).flip();
            while (head.hasRemaining()) {
                out.write(head);
            }
            long size = in.size();
            for (long pos = old.payloadStart; pos < size; ) {
                pos += in.transferTo(pos, size - pos, out);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The serialized SignedManifest, exactly as signed and as published. */
    public byte[] signedManifest() {
        return signedManifest.clone();
    }

    /** The manifest, parsed but not verified. */
    public Manifest manifest() {
        return manifest;
    }

    public Variant variant(String variantId) throws BundleException {
        return manifest.getVariantsList().stream().filter(v -> v.getId().equals(variantId)).findFirst()
                .orElseThrow(() -> new BundleException("bundle has no variant '" + variantId + "'; it has "
                        + manifest.getVariantsList().stream().map(Variant::getId).toList()));
    }

    /** Reads one variant payload and checks it against the manifest's SHA-256. */
    public byte[] payload(String variantId) throws IOException, BundleException {
        Variant target = variant(variantId);
        long offset = payloadStart;
        for (Variant v : manifest.getVariantsList()) {
            if (v == target) {
                break;
            }
            offset += v.getPayloadBytes();
        }
        byte[] out = new byte[Math.toIntExact(target.getPayloadBytes())];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             InputStream in = Channels.newInputStream(ch.position(offset))) {
            new DataInputStream(in).readFully(out);
        }
        if (!Arrays.equals(Chunks.sha256(out), target.getSha256().toByteArray())) {
            throw new BundleException("variant " + variantId + " payload does not match its SHA-256");
        }
        return out;
    }
}
