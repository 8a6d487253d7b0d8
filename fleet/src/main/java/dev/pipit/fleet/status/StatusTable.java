package dev.pipit.fleet.status;

import dev.pipit.fleet.rollout.RolloutSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Device summaries as a table for people: one row per device, then the reasons below it. */
public final class StatusTable {

    private static final String[] HEADERS =
            {"DEVICE", "PROFILE", "GROUP", "ONLINE", "MODEL", "VARIANT", "RSS", "PEAK RSS", "HEAP", "MODEL MEM", "PREDICTED"};

    private StatusTable() {
    }

    public static String render(List<DeviceSummary> devices) {
        if (devices.isEmpty()) {
            return "no devices have reported to this broker\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (DeviceSummary d : devices) {
            MemorySummary m = d.memory();
            rows.add(new String[] {
                d.id(), text(d.profile()), text(d.group()), d.online() == null ? "-" : d.online() ? "yes" : "no",
                d.model() == null ? "-" : d.model() + " v" + d.version(), text(d.variant()),
                m == null ? "-" : bytes(m.rssBytes()), m == null ? "-" : bytes(m.peakRssBytes()),
                m == null ? "-" : bytes(m.heapUsedBytes()) + "/" + bytes(m.heapCommittedBytes()),
                m == null ? "-" : bytes(m.weightBytes() + m.arenaBytes()),
                m == null ? "-" : bytes(m.predictedWeightBytes() + m.predictedPeakBytes()),
            });
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.append('\n');
        }
        for (DeviceSummary d : devices) {
            if (d.selectionReason() != null) {
                out.append(d.id()).append(": selected ").append(d.variant()).append(": ").append(d.selectionReason()).append('\n');
            }
            if (d.lastRejection() != null) {
                out.append(d.id()).append(": last rejection: ").append(d.lastRejection()).append('\n');
            }
        }
        return out.toString();
    }

    /** One line per rollout, then the devices that failed it or could not be rolled back; empty without rollouts. */
    public static String renderRollouts(List<RolloutSummary> rollouts) {
        StringBuilder out = new StringBuilder();
        for (RolloutSummary r : rollouts) {
            out.append("rollout ").append(r.line()).append('\n');
            if (r.haltReason() != null) {
                out.append("  halted: ").append(r.haltReason()).append('\n');
            }
            for (RolloutSummary.DeviceOutcome d : r.devices()) {
                if (d.state().equals("FAILED")) {
                    out.append("  ").append(d.id()).append(": failed: ").append(d.reason()).append('\n');
                }
                if ("FAILED".equals(d.rollback())) {
                    out.append("  ").append(d.id()).append(": not rolled back: ").append(d.rollbackReason()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String text(String s) {
        return s == null ? "-" : s;
    }

    /** Binary units, as the profiles are written. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }
}
