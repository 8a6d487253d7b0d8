package dev.pipit.fleet.coap;

import com.google.protobuf.Message;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What devices reported over CoAP, newest per device and kind, in memory: the CoAP counterpart of the
 * retained {@code status} and {@code memory} topics (and the last {@code events} Rejection). Bounded: a new
 * device beyond {@code maxDevices} is refused.
 */
public final class DeviceReports {

    private static final System.Logger LOG = System.getLogger(DeviceReports.class.getName());

    /**
     * @param status the last DeviceStatus, or null
     * @param memory the last MemoryReport, or null
     * @param lastRejection the last Rejection, or null
     * @param receivedEpochMillis when the last report of any kind arrived
     */
    public record Latest(String deviceId, DeviceStatus status, MemoryReport memory, Rejection lastRejection,
                         long receivedEpochMillis) {
    }

    private final int maxDevices;
    private final ConcurrentHashMap<String, Latest> devices = new ConcurrentHashMap<>();

    public DeviceReports(int maxDevices) {
        this.maxDevices = maxDevices;
    }

    public Optional<Latest> latest(String deviceId) {
        return Optional.ofNullable(devices.get(deviceId));
    }

    /** Every device that reported, by id. */
    public List<Latest> all() {
        return devices.values().stream().sorted(Comparator.comparing(Latest::deviceId)).toList();
    }

    /** Records a report; false when the table is full and the device is new. */
    boolean accept(String deviceId, Message report, long now) {
        if (!devices.containsKey(deviceId) && devices.size() >= maxDevices) {
            return false;
        }
        Latest updated = devices.compute(deviceId, (id, old) -> {
            Latest l = old != null ? old : new Latest(id, null, null, null, now);
            if (report instanceof DeviceStatus s) {
                return new Latest(id, s, s.hasMemory() && (l.memory() == null
                        || s.getMemory().getEpochMillis() >= l.memory().getEpochMillis()) ? s.getMemory() : l.memory(),
                        s.hasLastRejection() ? s.getLastRejection() : l.lastRejection(), now);
            }
            if (report instanceof MemoryReport m) {
                return new Latest(id, l.status(), m, l.lastRejection(), now);
            }
            return new Latest(id, l.status(), l.memory(), (Rejection) report, now);
        });
        LOG.log(System.Logger.Level.INFO, "report from {0}: {1}", deviceId, describe(report, updated));
        return true;
    }

    private static String describe(Message report, Latest l) {
        if (report instanceof DeviceStatus s) {
            return "status " + (s.getOnline() ? "online" : "offline") + (s.hasActive() ? ", " + s.getActive().getModelId()
                    + " v" + s.getActive().getVersion() + " " + s.getActive().getVariant() : ", no model active");
        }
        if (report instanceof MemoryReport m) {
            return "memory rss " + m.getRssBytes() + " B, weights " + m.getWeightBytes() + " B";
        }
        Rejection r = l.lastRejection();
        return "rejected " + r.getModelId() + (r.getVersion() == 0 ? "" : " v" + r.getVersion()) + ": " + r.getReason();
    }
}
