package dev.pipit.compress.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

    @TempDir
    Path dir;

    private Path idx(int magic, int[] dims, int dataBytes) throws IOException {
        Path f = dir.resolve("f.gz");
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(f)))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            for (int i = 0; i < dataBytes; i++) {
                out.write(i);
            }
        }
        return f;
    }

    @Test
    void read_wellFormed_returnsData() throws IOException {
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5}, IdxFile.read(idx(0x0802, new int[] {2, 3}, 6), 2, 3));
    }

    @Test
    void read_wrongMagic_failsNamingIt() throws IOException {
        Path f = idx(0x0D03, new int[] {1, 2, 2}, 4);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(f, 1, 2, 2));
        assertTrue(e.getMessage().contains("magic 0xd03"), e.getMessage());
    }

    @Test
    void read_unexpectedDimensions_fails() throws IOException {
        Path f = idx(0x0801, new int[] {5}, 5);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(f, 6));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
    }

    @Test
    void read_truncated_fails() throws IOException {
        Path f = idx(0x0801, new int[] {10}, 9);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(f, 10));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void read_trailingData_fails() throws IOException {
        Path f = idx(0x0801, new int[] {10}, 11);
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(f, 10));
        assertTrue(e.getMessage().contains("after"), e.getMessage());
    }

    @Test
    void read_notGzip_fails() throws IOException {
        Path f = dir.resolve("plain");
        Files.write(f, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
        assertThrows(IOException.class, () -> IdxFile.read(f, 1));
    }
}
