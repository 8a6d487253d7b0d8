package dev.pipit.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLimitTest {

    @TempDir
    Path dir;

    @Test
    void parseMax_numberOrMax_isBytesOrNoLimit() {
        assertEquals(536870912L, CgroupLimit.parseMax("536870912\n"));
        assertEquals(0, CgroupLimit.parseMax("max\n"));
    }

    @Test
    void ownPath_v2Line_isFound() {
        assertEquals("/system.slice/pipit-agent.service",
                CgroupLimit.ownPath("0::/system.slice/pipit-agent.service\n"));
        assertNull(CgroupLimit.ownPath("12:memory:/docker/abc\n")); // cgroup v1 only
    }

    @Test
    void read_limitOnParentCgroup_isTheSmallestOnThePath() throws IOException {
        Path root = dir.resolve("cgroup");
        Path service = Files.createDirectories(root.resolve("system.slice/pipit-agent.service"));
        Files.writeString(root.resolve("system.slice/memory.max"), "268435456\n");
        Files.writeString(service.resolve("memory.max"), "max\n");
        Path self = Files.writeString(dir.resolve("cgroup-self"), "0::/system.slice/pipit-agent.service\n");

        assertEquals(268435456L, CgroupLimit.read(self, root));
    }

    @Test
    void read_noLimitAnywhere_isZero() throws IOException {
        Path root = Files.createDirectories(dir.resolve("cgroup/user.slice"));
        Files.writeString(root.resolve("memory.max"), "max\n");
        Path self = Files.writeString(dir.resolve("cgroup-self"), "0::/user.slice\n");

        assertEquals(0, CgroupLimit.read(self, dir.resolve("cgroup")));
    }

    @Test
    void read_ownPathEscapesRoot_staysUnderRoot() throws IOException {
        Path root = Files.createDirectories(dir.resolve("cgroup"));
        Files.writeString(root.resolve("memory.max"), "1048576\n");
        Files.writeString(dir.resolve("memory.max"), "1024\n"); // outside the root: must not be read
        Path self = Files.writeString(dir.resolve("cgroup-self"), "0::/../..\n");

        assertEquals(1048576L, CgroupLimit.read(self, root));
    }
}
