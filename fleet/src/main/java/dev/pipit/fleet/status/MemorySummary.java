package dev.pipit.fleet.status;

import dev.pipit.protocol.v1.MemoryReport;

/**
 * A device's latest memory report, measured against what the manifest predicted.
 *
 * @param rssBytes resident set size of the agent process (VmRSS)
 * @param peakRssBytes its high-water mark (VmHWM)
 * @param heapUsedBytes JVM heap in use
 * @param heapCommittedBytes JVM heap reserved from the OS
 * @param weightBytes weights of the active variant, as loaded
 * @param arenaBytes planned arena of the active variant, as loaded
 * @param predictedWeightBytes weights the manifest declared
 * @param predictedPeakBytes arena the manifest declared
 * @param epochMillis when the device measured
 */
public record MemorySummary(long rssBytes, long peakRssBytes, long heapUsedBytes, long heapCommittedBytes,
                            long weightBytes, long arenaBytes, long predictedWeightBytes, long predictedPeakBytes,
                            long epochMillis) {

    static MemorySummary of(MemoryReport r) {
        return new MemorySummary(r.getRssBytes(), r.getPeakRssBytes(), r.getHeapUsedBytes(), r.getHeapCommittedBytes(),
                r.getWeightBytes(), r.getArenaBytes(), r.getPredictedWeightBytes(), r.getPredictedPeakBytes(),
                r.getEpochMillis());
    }
}
