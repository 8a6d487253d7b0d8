package dev.pipit.agent.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cgroup v2 memory limit this process runs under: the smallest {@code memory.max} from its own
 * cgroup up to the root, as systemd's {@code MemoryMax=} or a container runtime sets it; and what its
 * own cgroup is charged now ({@code memory.current}: anonymous memory plus the page cache it touched).
 */
public final class CgroupLimit {

    private CgroupLimit() {
    }

    /**
     * @param procSelfCgroup usually {@code /proc/self/cgroup}
     * @param cgroupRoot usually {@code /sys/fs/cgroup}
     * @return the limit in bytes, or 0 when there is none (or no cgroup v2)
     */
    public static long read(Path procSelfCgroup, Path cgroupRootDir) {
        Path cgroupRoot = cgroupRootDir.toAbsolutePath().normalize();
        Path dir = ownDir(procSelfCgroup, cgroupRoot); // in a cgroup namespace the own path is not visible: the root
        if (dir == null) {
            return 0;
        }
        long limit = 0;
        for (; dir != null && dir.startsWith(cgroupRoot); dir = dir.getParent()) {
            long max = readMax(dir.resolve("memory.max"));
            if (max > 0 && (limit == 0 || max < limit)) {
                limit = max;
            }
        }
        return limit;
    }

    /**
     * {@code memory.current} of this process's own cgroup (under systemd: the service's), or 0 when there is
     * no cgroup v2 or the file cannot be read.
     */
    public static long current(Path procSelfCgroup, Path cgroupRootDir) {
        Path dir = ownDir(procSelfCgroup, cgroupRootDir);
        if (dir == null) {
            return 0;
        }
        try {
            Path file = dir.resolve("memory.current");
            return Files.isRegularFile(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The directory of this process's cgroup under the root (the root itself inside a cgroup namespace), or null. */
    private static Path ownDir(Path procSelfCgroup, Path cgroupRootDir) {
        Path cgroupRoot = cgroupRootDir.toAbsolutePath().normalize();
        String own;
        try {
            own = ownPath(Files.readString(procSelfCgroup));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (own == null) {
            return null;
        }
        Path dir = cgroupRoot.resolve(own.substring(1)).normalize();
        return dir.startsWith(cgroupRoot) && Files.isDirectory(dir) ? dir : cgroupRoot;
    }

    /** The cgroup v2 path in the text of /proc/self/cgroup (the line {@code 0::/path}), or null. */
    static String ownPath(String procSelfCgroup) {
        for (String line : procSelfCgroup.split("\n")) {
            if (line.startsWith("0::/")) {
                return line.substring(3).trim();
            }
        }
        return null;
    }

    /** The content of a memory.max file: a byte count, or "max" for no limit (0). */
    static long parseMax(String text) {
        String t = text.trim();
        if (t.equals("max")) {
            return 0;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long readMax(Path file) {
        try {
            return Files.isRegularFile(file) ? parseMax(Files.readString(file)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
