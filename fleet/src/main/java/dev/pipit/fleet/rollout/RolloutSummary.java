package dev.pipit.fleet.rollout;

import dev.pipit.protocol.v1.DeviceRollout;
import dev.pipit.protocol.v1.RolloutState;
import java.util.List;
import java.util.Locale;

/**
 * A rollout as people and scripts read it ({@code fleet status}, {@code fleet rollout --json}).
 *
 * @param model the model rolled out
 * @param phase RUNNING, ROLLING_BACK, HALTED or COMPLETED
 * @param fromVersion the fleet-wide release before (0: none)
 * @param toVersion the release rolled out
 * @param rollbackVersion the rollback release (previous payloads, higher version), or null
 * @param step steps passed
 * @param steps steps planned
 * @param healthy devices that run the release healthily
 * @param failed devices that failed it
 * @param inProgress devices sent the release and not yet judged
 * @param pending devices whose step has not started
 * @param skipped devices offline when their step started
 * @param rolledBack devices returned to the previous release
 * @param rollbackFailed devices that could not be returned
 * @param haltReason why it halted, or null
 * @param controller the controller that wrote this state
 * @param leaseExpiresEpochMillis until when that controller holds the rollout, or null when released
 * @param devices every device of the plan
 */
public record RolloutSummary(String model, String rolloutId, String phase, long fromVersion, long toVersion,
                             Long rollbackVersion, int step, int steps, int healthy, int failed, int inProgress,
                             int pending, int skipped, int rolledBack, int rollbackFailed, String haltReason,
                             String controller, Long leaseExpiresEpochMillis, long startedEpochMillis,
                             long updatedEpochMillis, List<DeviceOutcome> devices) {

    /** One device of the plan. */
    public record DeviceOutcome(String id, String group, int step, String state, String reason, String rollback,
                                String rollbackReason) {
    }

    public RolloutSummary {
        devices = List.copyOf(devices);
    }

    public static RolloutSummary of(RolloutState s) {
        int[] counts = new int[DeviceRollout.State.values().length];
        int rolledBack = 0;
        int rollbackFailed = 0;
        for (DeviceRollout d : s.getDevicesList()) {
            counts[d.getStateValue()]++;
            rolledBack += d.getRollback() == DeviceRollout.Rollback.ROLLBACK_DONE ? 1 : 0;
            rollbackFailed += d.getRollback() == DeviceRollout.Rollback.ROLLBACK_FAILED ? 1 : 0;
        }
        List<DeviceOutcome> devices = s.getDevicesList().stream().map(d -> new DeviceOutcome(d.getDeviceId(),
                d.getGroup(), d.getStep() + 1, d.getState().name(), emptyToNull(d.getReason()),
                d.getRollback() == DeviceRollout.Rollback.ROLLBACK_NONE ? null : d.getRollback().name().substring(9),
                emptyToNull(d.getRollbackReason()))).toList();
        return new RolloutSummary(s.getModelId(), s.getRolloutId(), s.getPhase().name(), s.getFromVersion(),
                s.getToVersion(), s.getRollbackVersion() == 0 ? null : s.getRollbackVersion(),
                Math.min(s.getCurrentStep(), s.getSteps()), s.getSteps(),
                counts[DeviceRollout.State.HEALTHY_VALUE], counts[DeviceRollout.State.FAILED_VALUE],
                counts[DeviceRollout.State.TARGETED_VALUE], counts[DeviceRollout.State.PENDING_VALUE],
                counts[DeviceRollout.State.SKIPPED_VALUE], rolledBack, rollbackFailed, emptyToNull(s.getHaltReason()),
                emptyToNull(s.getControllerId()),
                s.getLeaseExpiresEpochMillis() == 0 ? null : s.getLeaseExpiresEpochMillis(), s.getStartedEpochMillis(),
                s.getUpdatedEpochMillis(), devices);
    }

    /** One line: {@code fashion v1 -> v2 RUNNING step 2/5: 6 healthy, 0 failed, 3 in progress, 11 pending, 0 skipped}. */
    public String line() {
        String line = String.format(Locale.ROOT, "%s v%d -> v%d %s step %d/%d: %d healthy, %d failed, %d in progress, "
                + "%d pending, %d skipped", model, fromVersion, toVersion, phase, step, steps, healthy, failed, inProgress,
                pending, skipped);
        if (rolledBack + rollbackFailed > 0 || phase.equals("ROLLING_BACK")) {
            line += String.format(Locale.ROOT, "; rolled back %d, rollback failed %d", rolledBack, rollbackFailed);
        }
        return line;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
