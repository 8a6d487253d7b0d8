package dev.pipit.agent.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable replacement of small files: write a temporary sibling, fsync it, rename it over the target,
 * fsync the directory. A crash leaves either the old or the new file, plus perhaps a {@code .tmp}
 * leftover that {@link StateStore#open} deletes.
 */
public final class AtomicFiles {

    static final String TMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        move(tmp, target);
    }

    /** Renames {@code source} over {@code target} atomically and makes the rename durable in both directories. */
    public static void move(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path to = target.toAbsolutePath().getParent();
        Path from = source.toAbsolutePath().getParent();
        syncDirectory(to);
        if (!from.equals(to)) {
            syncDirectory(from);
        }
    }

    /** Makes a directory's entries durable; a no-op where directories cannot be opened (Windows). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            // the platform cannot fsync a directory; the rename is still atomic
        }
    }
}
