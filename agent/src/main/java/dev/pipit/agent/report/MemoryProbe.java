package dev.pipit.agent.report;

import dev.pipit.agent.load.LoadedModel;
import dev.pipit.protocol.v1.MemoryReport;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;

/**
 * Samples what the device's memory holds: JVM heap and non-heap, direct buffers, the process's
 * resident set from the kernel, the cgroup limit, and the active model's measured against its
 * predicted footprint.
 */
public final class MemoryProbe {

    private final Path procStatus;
    private final Path procCgroup;
    private final Path cgroupRoot;

    public MemoryProbe() {
        this(Path.of("/proc/self/status"), Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));
    }

    MemoryProbe(Path procStatus, Path procCgroup, Path cgroupRoot) {
        this.procStatus = procStatus;
        this.procCgroup = procCgroup;
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * @param active the serving model, or null
     * @param budgetBytes the profile's model memory budget
     * @param trigger why the report is made: connect, activation, change, periodic, request, tune
     */
    public MemoryReport sample(String deviceId, LoadedModel active, long budgetBytes, String trigger,
                               long nowEpochMillis) {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = mx.getHeapMemoryUsage();
        MemoryUsage nonHeap = mx.getNonHeapMemoryUsage();
        ProcStatus proc = ProcStatus.read(procStatus);
        MemoryReport.Builder r = MemoryReport.newBuilder()
                .setDeviceId(deviceId)
                .setEpochMillis(nowEpochMillis)
                .setHeapUsedBytes(heap.getUsed())
                .setHeapCommittedBytes(heap.getCommitted())
                .setHeapMaxBytes(Math.max(0, heap.getMax()))
                .setNonHeapUsedBytes(nonHeap.getUsed())
                .setNonHeapCommittedBytes(nonHeap.getCommitted())
                .setDirectBufferBytes(directBufferBytes())
                .setRssBytes(proc.rssBytes())
                .setPeakRssBytes(proc.peakRssBytes())
                .setCgroupLimitBytes(CgroupLimit.read(procCgroup, cgroupRoot))
                .setCgroupCurrentBytes(CgroupLimit.current(procCgroup, cgroupRoot))
                .setBudgetBytes(budgetBytes)
                .setTrigger(trigger);
        if (active != null) {
            r.setVariant(active.variant().getId())
                    .setWeightBytes(active.weightBytes())
                    .setArenaBytes(active.arenaBytes())
                    .setPredictedWeightBytes(active.variant().getWeightBytes())
                    .setPredictedPeakBytes(active.variant().getPlannedPeakBytes())
                    .setMaxBatch(active.maxBatch())
                    .setPredictedArenaBytes(active.variant().getPlannedPeakBytes() * active.maxBatch());
        }
        return r.build();
    }

    private static long directBufferBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return Math.max(0, pool.getMemoryUsed());
            }
        }
        return 0;
    }
}
