package dev.pipit.compress.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads gzipped IDX files (the MNIST format): a big-endian magic {@code 0x0000 08 rank} (unsigned
 * bytes), {@code rank} big-endian dimension sizes, then the bytes. Every declared size is checked
 * against what is expected before anything is allocated, and trailing data is an error.
 */
final class IdxFile {

    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFile() {
    }

    /**
     * Reads a file whose dimensions must equal {@code expectedDims} exactly.
     *
     * @return the data bytes, {@code product(expectedDims)} of them
     */
    static byte[] read(Path file, int... expectedDims) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16))) {
            int magic = in.readInt();
            int expectedMagic = (UNSIGNED_BYTE << 8) | expectedDims.length;
            if (magic != expectedMagic) {
                throw new IOException(file + " is not an IDX file of unsigned bytes with " + expectedDims.length
                        + " dimensions (magic 0x" + Integer.toHexString(magic) + ", expected 0x"
                        + Integer.toHexString(expectedMagic) + ")");
            }
            int[] dims = new int[expectedDims.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
            }
            if (!Arrays.equals(dims, expectedDims)) {
                throw new IOException(file + " has dimensions " + Arrays.toString(dims) + ", expected "
                        + Arrays.toString(expectedDims));
            }
            long size = 1;
            for (int d : dims) {
                size *= d;
            }
            byte[] data = new byte[Math.toIntExact(size)];
            in.readFully(data);
            if (in.read() != -1) {
                throw new IOException(file + " has data after its " + size + " declared bytes");
            }
            return data;
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        } catch (ZipException e) {
            throw new IOException(file + " is not valid gzip: " + e.getMessage(), e);
        }
    }
}
