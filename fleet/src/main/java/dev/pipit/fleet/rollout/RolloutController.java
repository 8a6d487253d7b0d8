package dev.pipit.fleet.rollout;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.fleet.mqtt.BrokerEndpoint;
import dev.pipit.fleet.mqtt.BrokerSession;
import dev.pipit.fleet.mqtt.MessageRouter;
import dev.pipit.fleet.mqtt.PublishWindow;
import dev.pipit.fleet.mqtt.RetainedMessages;
import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.publish.RetainedRelease;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.Command;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.DeviceRollout;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.Rollback;
import dev.pipit.protocol.v1.RolloutState;
import dev.pipit.protocol.v1.RolloutState.Phase;
import dev.pipit.protocol.v1.SignedManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Runs a staged rollout of one model, or rolls one back. Everything it knows lives on the broker: the
 * plan, each device's verdict and the controller's lease are one RolloutState, retained on
 * {@code pipit/v1/rollouts/{model}} and rewritten on every change, so a restarted or second controller
 * resumes where the last one stopped. Only standard MQTT 5 is used: retained messages, QoS 1,
 * request/response properties.
 *
 * <p>A step publishes the release's signed manifest, retained, on each of its devices' own topic
 * ({@code pipit/v1/devices/{id}/models/{model}/manifest}); the chunks were published beforehand and
 * are shared. A device is healthy when {@link HealthCheck} says so within the policy's wait. When the
 * failures exceed the policy's threshold the rollout halts: every device's own manifest is cleared and
 * the devices that activated the release are rolled back — by the Rollback command, or, when a device
 * does not serve it and a signing key is at hand, by a rollback release ({@link RollbackRelease}). Once
 * every step passed, the manifest goes fleet-wide on {@code pipit/v1/models/{model}/manifest}.
 *
 * <p>One controller at a time holds a rollout: its lease is renewed in the state; another waits for it
 * to expire. MQTT has no compare-and-set, so two controllers started within the same instant could both
 * run; each stops as soon as it sees the other's write ({@link TakenOverException}).
 */
public final class RolloutController implements AutoCloseable {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(15);
    private static final long POLL_MILLIS = 200;
    /** The state is one message that grows with the fleet: rewritten at most this often. */
    private static final long SAVE_EVERY_MILLIS = 1_000;
    private static final long PROGRESS_EVERY_MILLIS = 2_000;
    private static final long COMMAND_TIMEOUT_MILLIS = 10_000;
    /** QoS 1 publishes of this controller awaiting acknowledgement; Mosquitto's Receive Maximum is 20. */
    private static final int WINDOW = 12;

    /** Another controller wrote this rollout's state: this one stopped without touching it further. */
    public static final class TakenOverException extends RuntimeException {
        TakenOverException(String message) {
            super(message);
        }
    }

    private final String model;
    private final Duration lease;
    private final PrintWriter progress;
    private final BundlePublisher publisher;
    private final BrokerSession session;
    private final MessageRouter router;
    private final FleetView view = new FleetView();
    private final PublishWindow window;
    private final DeviceRequests requests;
    private final String controllerId;
    private final AtomicReference<RolloutState> retained = new AtomicReference<>();
    /** A state written by another controller after this one's own writes had come back from the broker. */
    private final AtomicReference<RolloutState> foreignAfterOwn = new AtomicReference<>();
    private volatile boolean ownWriteSeen;

    // Touched by the calling thread only.
    private final Map<String, CompletableFuture<byte[]>> probes = new HashMap<>();
    private final Map<String, CompletableFuture<byte[]>> commands = new HashMap<>();
    private RolloutState.Builder state;
    private Manifest to;
    private KeyPair key;
    private boolean dirty;
    private long lastSave;
    private long lastProgress;
    private String lastLine = "";

    private RolloutController(String model, Duration lease, int maxInFlight, PrintWriter progress, BrokerEndpoint broker,
                              BrokerSession session, MessageRouter router) {
        this.model = model;
        this.lease = lease;
        this.progress = progress;
        this.publisher = new BundlePublisher(broker, maxInFlight, progress);
        this.session = session;
        this.router = router;
        this.window = new PublishWindow(session, WINDOW);
        this.requests = new DeviceRequests(session, window);
        this.controllerId = session.client().getClientId();
    }

    /**
     * Connects and reads what the broker retains: every device's status and memory report, and this
     * model's rollout state.
     *
     * @param lease how long this controller's claim on a rollout lasts without renewal
     * @param maxInFlight QoS 1 chunk publishes awaiting acknowledgement at once
     */
    public static RolloutController open(BrokerEndpoint broker, String model, Duration lease, int maxInFlight,
                                         PrintWriter progress) throws IOException {
        Topics.segment(model);
        if (lease.toMillis() < 3 * POLL_MILLIS) {
            throw new IllegalArgumentException("--lease must be at least " + 3 * POLL_MILLIS + " ms, was " + lease.toMillis());
        }
        MessageRouter router = new MessageRouter();
        BrokerSession session = broker.connect("pipit-fleet-rollout", router);
        RolloutController c = new RolloutController(model, lease, maxInFlight, progress, broker, session, router);
        try {
            c.view.attach(router);
            c.requests.attach(router);
            router.on(Topics.rollout(model), (topic, message) -> c.stateArrived(message.getPayload()));
            List<String> filters = new ArrayList<>(FleetView.filters());
            filters.add(c.requests.filter());
            filters.add(Topics.rollout(model));
            RetainedMessages.subscribe(session, router, filters, SETUP_TIMEOUT);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Rolls a bundle out, or resumes its rollout if the broker retains one of this very release that has
     * not ended (with the policy it started with), once no other controller holds it. Returns the final
     * state: COMPLETED or HALTED.
     *
     * @param rollbackKey signs a rollback release for devices that do not serve the Rollback command; null: none
     * @throws BundleException if the bundle is not newer than what the fleet has
     * @throws IllegalStateException if another release's rollout is still running, or this one halted before
     */
    public RolloutState rollout(BundleFile bundle, RolloutPolicy policy, KeyPair rollbackKey)
            throws IOException, BundleException, InterruptedException {
        Manifest m = bundle.manifest();
        if (!m.getModelId().equals(model)) {
            throw new IllegalArgumentException("the bundle is of model " + m.getModelId() + ", this controller rolls out " + model);
        }
        key = rollbackKey;
        to = m;
        RolloutState existing = retained.get();
        if (existing != null && existing.getToVersion() == m.getVersion()) {
            if (!Arrays.equals(existing.getToManifest().toByteArray(), bundle.signedManifest())) {
                throw new IllegalStateException(model + " v" + m.getVersion() + " was rolled out before with another "
                        + "manifest: give the release a new version");
            }
            return resume();
        }
        if (existing != null && !isFinal(existing.getPhase())) {
            throw new IllegalStateException("the rollout of " + model + " v" + existing.getToVersion() + " is still "
                    + existing.getPhase() + " (controller " + existing.getControllerId() + "); let it end, or roll it "
                    + "back: pipit fleet rollback --model " + model);
        }
        long newest = existing == null ? 0 : Math.max(existing.getToVersion(), existing.getRollbackVersion());
        if (m.getVersion() <= newest) {
            throw new BundleException(model + " v" + m.getVersion() + " is not newer than v" + newest + ", which an "
                    + "earlier rollout sent to devices; they would refuse it as a rollback");
        }
        Optional<RetainedRelease> from = RetainedRelease.read(session, router, model);
        BundlePublisher.requireNewer(m, from);
        RolloutPlan plan = RolloutPlan.of(view.groups(), policy);
        publisher.publishChunks(session, m, bundle::payload);
        long now = System.currentTimeMillis();
        state = RolloutState.newBuilder()
                .setModelId(model)
                .setRolloutId(UUID.randomUUID().toString())
                .setPhase(Phase.RUNNING)
                .setFromVersion(from.map(RetainedRelease::version).orElse(0L))
                .setToVersion(m.getVersion())
                .setFromManifest(from.map(r -> ByteString.copyFrom(r.signedManifest())).orElse(ByteString.EMPTY))
                .setToManifest(ByteString.copyFrom(bundle.signedManifest()))
                .setPolicy(policy.toProto())
                .addAllDevices(plan.devices())
                .setSteps(plan.steps())
                .setStartedEpochMillis(now);
        save(now);
        progress.printf("rollout of %s v%d (fleet-wide now: %s): %d devices in %d steps, groups %s%n", model,
                m.getVersion(), from.map(r -> "v" + r.version()).orElse("none"), plan.devices().size(), plan.steps(),
                groupsOf(plan.devices()));
        return run();
    }

    /**
     * Rolls back the devices that activated the rollout's release (of {@code groups} only, when given):
     * halts the rollout if it runs (taking it over from its controller), and when it had completed and no
     * group is given, also restores the fleet-wide release. Returns the final state, HALTED.
     *
     * @param rollbackKey signs a rollback release for devices that do not serve the Rollback command, and
     *     replaces a completed release fleet-wide; null: commands only, and the previous manifest republished
     */
    public RolloutState rollback(List<String> groups, KeyPair rollbackKey)
            throws IOException, BundleException, InterruptedException {
        RolloutState existing = retained.get();
        if (existing == null) {
            throw new IllegalStateException("no rollout of " + model + " is retained on this broker: nothing records "
                    + "which release to return to");
        }
        Set<String> known = groupsOf(existing.getDevicesList());
        for (String g : groups) {
            if (!known.contains(Topics.segment(g))) {
                throw new IllegalArgumentException("group '" + g + "' is not part of the rollout of " + model + " v"
                        + existing.getToVersion() + " (groups: " + String.join(", ", known) + ")");
            }
        }
        key = rollbackKey;
        to = manifestOf(existing.getToManifest().toByteArray());
        if (!existing.getControllerId().isEmpty() && !isFinal(existing.getPhase())) {
            progress.printf("taking the rollout of %s v%d over from controller %s%n", model, existing.getToVersion(),
                    existing.getControllerId());
        }
        state = existing.toBuilder();
        long now = System.currentTimeMillis();
        if (existing.getPhase() == Phase.COMPLETED) {
            adoptLaterDevices(groups);
            if (groups.isEmpty()) {
                if (existing.getFromManifest().isEmpty()) {
                    throw new IllegalStateException("there is no previous release of " + model + " to put back "
                            + "fleet-wide: none was retained when the rollout started");
                }
                state.setRestoreFleetWide(true);
            }
        }
        halt("rolled back by the operator" + (groups.isEmpty() ? "" : " (groups " + String.join(", ", groups) + ")"),
                groups, now);
        return run();
    }

    @Override
    public void close() {
        session.close();
    }

    // ---- the loop ----

    private RolloutState resume() throws IOException, BundleException, InterruptedException {
        RolloutState r = awaitLease();
        if (r.getPhase() == Phase.HALTED) {
            throw new IllegalStateException("the rollout of " + model + " v" + r.getToVersion() + " halted: "
                    + r.getHaltReason() + "; publish a fixed release with a higher version");
        }
        if (r.getPhase() == Phase.COMPLETED) {
            progress.printf("the rollout of %s v%d completed already%n", model, r.getToVersion());
            return r;
        }
        state = r.toBuilder();
        progress.printf("resuming the rollout of %s v%d at step %d/%d, %s%s%n", model, r.getToVersion(),
                Math.min(r.getCurrentStep() + 1, r.getSteps()), r.getSteps(), r.getPhase(),
                r.getControllerId().isEmpty() ? "" : " (from controller " + r.getControllerId() + ")");
        save(System.currentTimeMillis());
        return run();
    }

    /** The retained state once no other controller holds it, or once it ended. */
    private RolloutState awaitLease() throws InterruptedException {
        boolean told = false;
        while (true) {
            RolloutState r = retained.get();
            if (r == null) {
                throw new IllegalStateException("the rollout state of " + model + " was removed from the broker");
            }
            long now = System.currentTimeMillis();
            if (isFinal(r.getPhase()) || r.getControllerId().isEmpty() || r.getControllerId().equals(controllerId)
                    || r.getLeaseExpiresEpochMillis() <= now) {
                return r;
            }
            if (!told) {
                progress.printf("controller %s holds the rollout of %s v%d until %s; waiting%n", r.getControllerId(),
                        model, r.getToVersion(), Instant.ofEpochMilli(r.getLeaseExpiresEpochMillis()));
                progress.flush();
                told = true;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private RolloutState run() throws IOException, BundleException, InterruptedException {
        boolean takenOver = false;
        try {
            while (!isFinal(state.getPhase())) {
                long now = System.currentTimeMillis();
                checkNotTakenOver(now);
                if (state.getPhase() == Phase.RUNNING) {
                    advance(now);
                } else {
                    rollBack(now);
                }
                if (dirty && now - lastSave >= SAVE_EVERY_MILLIS || now - lastSave >= lease.toMillis() / 3) {
                    save(now);
                }
                report(now, false);
                if (!isFinal(state.getPhase())) {
                    Thread.sleep(POLL_MILLIS);
                }
            }
            report(System.currentTimeMillis(), true);
            return state.build();
        } catch (TakenOverException e) {
            takenOver = true;
            throw e;
        } finally {
            if (!takenOver && state != null) {
                releaseLease();
            }
        }
    }

    /** RUNNING: start the current step, judge its devices, halt or move on. */
    private void advance(long now) throws IOException, BundleException {
        int step = state.getCurrentStep();
        if (step >= state.getSteps()) {
            complete(now);
            return;
        }
        List<DeviceRollout.Builder> starting = devices(d -> d.getStep() == step && d.getState() == DeviceRollout.State.PENDING);
        if (!starting.isEmpty()) {
            for (DeviceRollout.Builder d : starting) {
                if (view.online(d.getDeviceId())) {
                    window.send(Topics.deviceManifest(d.getDeviceId(), model), state.getToManifest().toByteArray(), true);
                    d.setState(DeviceRollout.State.TARGETED).setTargetedEpochMillis(now);
                } else {
                    decide(d, DeviceRollout.State.SKIPPED, "offline when step " + (step + 1) + " started", now);
                }
            }
            window.drain();
            dirty = true;
            progress.printf("step %d/%d: %s v%d sent to %d devices of group %s%n", step + 1, state.getSteps(), model,
                    state.getToVersion(), starting.size(), starting.get(0).getGroup());
        }
        for (DeviceRollout.Builder d : devices(d -> d.getState() == DeviceRollout.State.TARGETED
                || d.getState() == DeviceRollout.State.HEALTHY)) {
            judge(d, now);
        }
        int healthy = count(DeviceRollout.State.HEALTHY);
        int failed = count(DeviceRollout.State.FAILED);
        RolloutPolicy policy = RolloutPolicy.of(state.getPolicy());
        if (policy.exceeded(healthy, failed)) {
            halt(String.format("%d of %d devices failed, more than %d%%; first: %s", failed, healthy + failed,
                    policy.maxFailuresPercent(), firstFailure()), List.of(), now);
        } else if (devices(d -> d.getStep() == step && (d.getState() == DeviceRollout.State.TARGETED
                || d.getState() == DeviceRollout.State.PENDING)).isEmpty()) {
            state.setCurrentStep(step + 1);
            dirty = true;
            progress.printf("step %d/%d passed: %s%n", step + 1, state.getSteps(), RolloutSummary.of(state.build()).line());
        }
    }

    /** A targeted device's verdict from its reports and the inference probe; a healthy one that leaves the release fails. */
    private void judge(DeviceRollout.Builder d, long now) {
        String id = d.getDeviceId();
        DeviceStatus status = view.status(id);
        boolean active = runsRelease(status);
        if (active && !d.getActivated()) {
            d.setActivated(true);
            dirty = true;
        }
        if (d.getState() == DeviceRollout.State.HEALTHY) {
            if (!active && status != null) {
                decide(d, DeviceRollout.State.FAILED, "left v" + state.getToVersion() + " after it was healthy: "
                        + describe(status), now);
            }
            return;
        }
        HealthCheck.Verdict verdict = HealthCheck.judge(model, state.getToVersion(), status, view.memory(id));
        if (verdict instanceof HealthCheck.Verdict.Failed f) {
            decide(d, DeviceRollout.State.FAILED, f.reason(), now);
            return;
        }
        if (d.getActivated() && !active) {
            decide(d, DeviceRollout.State.FAILED, "activated v" + state.getToVersion() + ", then left it: "
                    + describe(status), now);
            return;
        }
        String missing;
        if (verdict instanceof HealthCheck.Verdict.Probe p) {
            CompletableFuture<byte[]> answer = probes.computeIfAbsent(id, k -> requests.send(Topics.deviceInfer(id), id,
                    HealthCheck.probe(to).toByteArray(), state.getPolicy().getWaitHealthySeconds()));
            if (answer.isDone()) {
                probes.remove(id);
                Optional<String> failure = probeFailure(answer, p.active().getVariant());
                if (failure.isPresent()) {
                    decide(d, DeviceRollout.State.FAILED, failure.get(), now);
                } else {
                    decide(d, DeviceRollout.State.HEALTHY, String.format("v%d %s, %d of %s bytes, probe ok",
                            state.getToVersion(), p.active().getVariant(),
                            p.memory().getWeightBytes() + p.memory().getArenaBytes(),
                            p.memory().getBudgetBytes() == 0 ? "?" : Long.toString(p.memory().getBudgetBytes())), now);
                }
                return;
            }
            missing = "inference probe not answered";
        } else {
            missing = ((HealthCheck.Verdict.Waiting) verdict).missing();
        }
        long wait = state.getPolicy().getWaitHealthySeconds() * 1000L;
        if (now - d.getTargetedEpochMillis() > wait) {
            CompletableFuture<byte[]> probe = probes.remove(id);
            if (probe != null) {
                probe.cancel(false);
            }
            decide(d, DeviceRollout.State.FAILED, "not healthy within " + wait / 1000 + " s: " + missing, now);
        }
    }

    private Optional<String> probeFailure(CompletableFuture<byte[]> answer, String variant) {
        try {
            return HealthCheck.probeFailure(InferenceResponse.parseFrom(answer.get()), to, variant);
        } catch (InvalidProtocolBufferException e) {
            return Optional.of("inference probe answered with no InferenceResponse: " + e.getMessage());
        } catch (ExecutionException e) {
            return Optional.of("inference probe could not be sent: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Every step passed: the release goes fleet-wide and the devices' own manifests are cleared. */
    private void complete(long now) throws IOException {
        window.send(Topics.manifest(model), state.getToManifest().toByteArray(), true);
        window.drain();
        clearDeviceManifests(d -> d.getTargetedEpochMillis() != 0);
        state.setPhase(Phase.COMPLETED);
        save(now);
        progress.printf("every step passed: %s v%d is the fleet-wide release%n", model, state.getToVersion());
    }

    /**
     * Stops the rollout: no device gets the release from now on, and the devices of {@code groups} (all when
     * empty) that were sent it are marked for rollback (those that never activated it are done at once).
     */
    private void halt(String reason, List<String> groups, long now) throws IOException {
        state.setPhase(Phase.ROLLING_BACK).setHaltReason(reason).clearRollbackGroups().addAllRollbackGroups(groups);
        Predicate<DeviceRollout.Builder> chosen = d -> d.getTargetedEpochMillis() != 0 || d.getActivated();
        if (!groups.isEmpty()) {
            chosen = chosen.and(d -> groups.contains(d.getGroup()));
        }
        clearDeviceManifests(chosen.and(d -> !d.getRollbackByRelease()));
        for (DeviceRollout.Builder d : devices(chosen)) {
            if (d.getRollback() != DeviceRollout.Rollback.ROLLBACK_DONE) {
                d.setRollback(DeviceRollout.Rollback.ROLLBACK_PENDING).setRollbackReason("")
                        .setRollbackStartedEpochMillis(d.getRollbackByRelease() ? now : 0);
            }
        }
        commands.clear();
        save(now);
        progress.printf("halted: %s%n", reason);
    }

    /** ROLLING_BACK: bring every marked device back to the previous release, then end HALTED. */
    private void rollBack(long now) throws IOException, BundleException {
        long wait = state.getPolicy().getWaitHealthySeconds() * 1000L;
        for (DeviceRollout.Builder d : devices(d -> d.getState() == DeviceRollout.State.TARGETED)) {
            judge(d, now); // forward verdicts of devices still deciding keep coming in
        }
        for (DeviceRollout.Builder d : devices(d -> d.getRollback() == DeviceRollout.Rollback.ROLLBACK_PENDING)) {
            String id = d.getDeviceId();
            DeviceStatus status = view.status(id);
            boolean onRelease = runsRelease(status);
            if (onRelease && !d.getActivated()) {
                d.setActivated(true);
            }
            if (d.getRollbackByRelease()) {
                if (status != null && status.getActive().getModelId().equals(model)
                        && status.getActive().getVersion() == state.getRollbackVersion()) {
                    rolledBack(d, DeviceRollout.Rollback.ROLLBACK_DONE, d.getRollbackReason() + "; runs it", now);
                } else if (now - d.getRollbackStartedEpochMillis() > wait) {
                    rolledBack(d, DeviceRollout.Rollback.ROLLBACK_FAILED, d.getRollbackReason() + "; not active within "
                            + wait / 1000 + " s: " + describe(status), now);
                }
                continue;
            }
            if (!onRelease) {
                if (d.getActivated()) {
                    rolledBack(d, DeviceRollout.Rollback.ROLLBACK_DONE, "back on " + describe(status)
                            + (commands.containsKey(id) ? " (Rollback command)" : ""), now);
                } else if (d.getState() != DeviceRollout.State.TARGETED) {
                    rolledBack(d, DeviceRollout.Rollback.ROLLBACK_DONE, "never activated v" + state.getToVersion(), now);
                }
                continue;
            }
            if (d.getRollbackStartedEpochMillis() == 0) {
                d.setRollbackStartedEpochMillis(now);
                dirty = true;
            }
            // Rollback applies only while the device runs the release (a late or repeated command answers
            // PRECONDITION_FAILED rather than toggling back); it also expires when this controller stops waiting.
            CompletableFuture<byte[]> answer = commands.computeIfAbsent(id, k -> requests.send(Topics.deviceCommands(id),
                    id, Command.newBuilder().setRollback(Rollback.newBuilder().setExpectedVersion(state.getToVersion())
                            .setModelId(model)).build().toByteArray(),
                    COMMAND_TIMEOUT_MILLIS / 1000));
            if (!answer.isDone()) {
                if (now - d.getRollbackStartedEpochMillis() > COMMAND_TIMEOUT_MILLIS) {
                    answer.cancel(false);
                    fallBack(d, "no answer to the Rollback command within " + COMMAND_TIMEOUT_MILLIS / 1000 + " s", now);
                }
                continue;
            }
            CommandResult result = commandResult(answer);
            // PRECONDITION_FAILED: it no longer runs the release; like OK, its status says where it is
            if (result.getCode() != CommandResult.Code.OK && result.getCode() != CommandResult.Code.PRECONDITION_FAILED) {
                fallBack(d, "Rollback command answered " + result.getCode() + ": " + result.getReason(), now);
            } else if (now - d.getRollbackStartedEpochMillis() > wait) {
                rolledBack(d, DeviceRollout.Rollback.ROLLBACK_FAILED, "answered the Rollback command but still runs v"
                        + state.getToVersion() + " after " + wait / 1000 + " s", now);
            }
        }
        if (devices(d -> d.getRollback() == DeviceRollout.Rollback.ROLLBACK_PENDING
                || d.getState() == DeviceRollout.State.TARGETED).isEmpty()) {
            if (state.getRestoreFleetWide()) {
                restoreFleetWide(); // only now: a device must not move on while it is told to roll back
                state.setRestoreFleetWide(false);
            }
            state.setPhase(Phase.HALTED);
            save(now);
        }
    }

    /** The device does not roll back by command: send it the rollback release, if one can be signed. */
    private void fallBack(DeviceRollout.Builder d, String why, long now) throws IOException, BundleException {
        if (key == null) {
            rolledBack(d, DeviceRollout.Rollback.ROLLBACK_FAILED, why + "; no --key to sign a rollback release", now);
            return;
        }
        if (state.getFromManifest().isEmpty()) {
            rolledBack(d, DeviceRollout.Rollback.ROLLBACK_FAILED, why + "; there is no previous release to return to",
                    now);
            return;
        }
        ensureRollbackRelease();
        window.send(Topics.deviceManifest(d.getDeviceId(), model), state.getRollbackManifest().toByteArray(), true);
        window.drain();
        d.setRollbackByRelease(true).setRollbackStartedEpochMillis(now)
                .setRollbackReason(why + "; sent rollback release v" + state.getRollbackVersion() + " (the payloads of v"
                        + state.getFromVersion() + ")");
        dirty = true;
    }

    /** Signs and publishes the rollback release once; its bytes are kept in the state so a resumed controller reuses them. */
    private void ensureRollbackRelease() throws IOException, BundleException {
        if (state.getRollbackVersion() != 0) {
            return;
        }
        long fleetWide = RetainedRelease.read(session, router, model).map(RetainedRelease::version).orElse(0L);
        long version = Math.max(Math.max(state.getToVersion(), fleetWide), state.getFromVersion()) + 1;
        SignedManifest release = RollbackRelease.sign(state.getFromManifest().toByteArray(), version, key);
        Manifest previous = manifestOf(state.getFromManifest().toByteArray());
        window.drain(); // the publisher's own window must fit under the broker's Receive Maximum too
        publisher.publishChunks(session, RollbackRelease.manifest(release),
                RollbackRelease.payloadsOnBroker(session, router, previous));
        state.setRollbackVersion(version).setRollbackManifest(release.toByteString());
        save(System.currentTimeMillis());
        progress.printf("rollback release %s v%d published: the payloads of v%d, signed again%n", model, version,
                previous.getVersion());
    }

    /**
     * A completed release is fleet-wide: put the previous one back there, as the rollback release if a key is
     * at hand; otherwise the previous manifest itself, which devices that accepted the release refuse (they
     * were rolled back by command) and new devices take.
     */
    private void restoreFleetWide() throws IOException, BundleException {
        byte[] manifest;
        if (key != null) {
            ensureRollbackRelease();
            manifest = state.getRollbackManifest().toByteArray();
        } else {
            manifest = state.getFromManifest().toByteArray();
        }
        window.send(Topics.manifest(model), manifest, true);
        window.drain();
        progress.printf("%s v%d is the fleet-wide release again%s%n", model, state.getFromVersion(),
                key != null ? " (as rollback release v" + state.getRollbackVersion() + ")" : "");
    }

    /** After completion, devices that got the release fleet-wide (skipped, or new) are rolled back too. */
    private void adoptLaterDevices(List<String> groups) {
        Set<String> planned = new TreeSet<>();
        state.getDevicesList().forEach(d -> planned.add(d.getDeviceId()));
        Map<String, String> groupOf = view.groups();
        for (String id : view.running(model, state.getToVersion())) {
            String g = groupOf.get(id);
            if (!planned.contains(id) && (groups.isEmpty() || groups.contains(g))) {
                state.addDevices(DeviceRollout.newBuilder().setDeviceId(id).setGroup(g).setStep(state.getSteps())
                        .setState(DeviceRollout.State.HEALTHY).setActivated(true)
                        .setReason("got v" + state.getToVersion() + " fleet-wide after the rollout"));
            }
        }
        for (DeviceRollout.Builder d : devices(d -> d.getState() == DeviceRollout.State.SKIPPED
                && runsRelease(view.status(d.getDeviceId())))) {
            d.setActivated(true);
        }
    }

    // ---- state ----

    /** On Paho's thread. The broker orders the writes to one topic: what comes after this controller's own came later. */
    private void stateArrived(byte[] payload) {
        if (payload.length == 0) {
            retained.set(null);
            return;
        }
        try {
            RolloutState r = RolloutState.parseFrom(payload);
            retained.set(r);
            if (r.getControllerId().equals(controllerId)) {
                ownWriteSeen = true;
            } else if (ownWriteSeen) {
                foreignAfterOwn.set(r);
            }
        } catch (InvalidProtocolBufferException e) {
            progress.printf("ignoring a rollout state of %s that does not parse: %s%n", model, e.getMessage());
        }
    }

    /**
     * Yields to another controller's later write unless it is behind this one's phase (a rollout controller
     * that has not yet seen an operator's rollback writes RUNNING once more): that stale write is overwritten.
     */
    private void checkNotTakenOver(long now) throws IOException {
        RolloutState r = foreignAfterOwn.getAndSet(null);
        if (r == null || !r.getRolloutId().equals(state.getRolloutId())) {
            return;
        }
        if (rank(r.getPhase()) >= rank(state.getPhase())) {
            throw new TakenOverException("controller " + r.getControllerId() + " took the rollout of " + model + " v"
                    + r.getToVersion() + " over (now " + r.getPhase() + (r.getHaltReason().isEmpty() ? ""
                    : ": " + r.getHaltReason()) + "); this controller stopped");
        }
        progress.printf("overwriting a stale %s state written by controller %s%n", r.getPhase(), r.getControllerId());
        save(now);
    }

    private static int rank(Phase phase) {
        return switch (phase) {
            case RUNNING -> 1;
            case ROLLING_BACK -> 2;
            case HALTED, COMPLETED -> 3;
            default -> 0;
        };
    }

    private void save(long now) throws IOException {
        publishState(now, isFinal(state.getPhase()) ? 0 : now + lease.toMillis());
        dirty = false;
        lastSave = now;
    }

    private void publishState(long now, long leaseExpires) throws IOException {
        state.setControllerId(controllerId).setUpdatedEpochMillis(now).setLeaseExpiresEpochMillis(leaseExpires);
        window.send(Topics.rollout(model), state.build().toByteArray(), true);
        window.drain();
    }

    /** Lets another controller resume at once instead of waiting for the lease to expire. */
    private void releaseLease() {
        if (isFinal(state.getPhase()) || !session.client().isConnected()) {
            return;
        }
        try {
            publishState(System.currentTimeMillis(), 0);
        } catch (IOException e) {
            progress.printf("could not release the lease (another controller waits until it expires): %s%n", e.getMessage());
        }
    }

    private void report(long now, boolean force) {
        String line = RolloutSummary.of(state.build()).line();
        if (force || !line.equals(lastLine) && now - lastProgress >= PROGRESS_EVERY_MILLIS / 4
                || now - lastProgress >= PROGRESS_EVERY_MILLIS) {
            progress.println("  " + line);
            progress.flush();
            lastLine = line;
            lastProgress = now;
        }
    }

    // ---- helpers ----

    private void decide(DeviceRollout.Builder d, DeviceRollout.State verdict, String reason, long now) {
        d.setState(verdict).setReason(reason).setDecidedEpochMillis(now);
        dirty = true;
        if (verdict == DeviceRollout.State.FAILED) {
            progress.printf("  %s failed: %s%n", d.getDeviceId(), reason);
        }
    }

    private void rolledBack(DeviceRollout.Builder d, DeviceRollout.Rollback outcome, String reason, long now) {
        d.setRollback(outcome).setRollbackReason(reason);
        commands.remove(d.getDeviceId());
        dirty = true;
        if (outcome == DeviceRollout.Rollback.ROLLBACK_FAILED) {
            progress.printf("  %s not rolled back: %s%n", d.getDeviceId(), reason);
        }
    }

    private void clearDeviceManifests(Predicate<DeviceRollout.Builder> which) throws IOException {
        for (DeviceRollout.Builder d : devices(which)) {
            window.send(Topics.deviceManifest(d.getDeviceId(), model), new byte[0], true);
        }
        window.drain();
    }

    private List<DeviceRollout.Builder> devices(Predicate<DeviceRollout.Builder> which) {
        return state.getDevicesBuilderList().stream().filter(which).toList();
    }

    private int count(DeviceRollout.State s) {
        return devices(d -> d.getState() == s).size();
    }

    private String firstFailure() {
        return devices(d -> d.getState() == DeviceRollout.State.FAILED).stream().findFirst()
                .map(d -> d.getDeviceId() + ": " + d.getReason()).orElse("none");
    }

    private boolean runsRelease(DeviceStatus s) {
        return s != null && s.getActive().getModelId().equals(model) && s.getActive().getVersion() == state.getToVersion();
    }

    private static String describe(DeviceStatus s) {
        if (s == null) {
            return "no status";
        }
        ActiveModel a = s.getActive();
        String runs = a.getModelId().isEmpty() ? "no model active" : a.getModelId() + " v" + a.getVersion();
        String why = s.hasLastEvent() && !s.getLastEvent().getReason().isEmpty() ? " (" + s.getLastEvent().getReason() + ")" : "";
        return runs + why;
    }

    private static CommandResult commandResult(CompletableFuture<byte[]> answer) {
        try {
            return CommandResult.parseFrom(answer.get());
        } catch (InvalidProtocolBufferException e) {
            return CommandResult.newBuilder().setCode(CommandResult.Code.FAILED)
                    .setReason("the answer is no CommandResult: " + e.getMessage()).build();
        } catch (ExecutionException e) {
            return CommandResult.newBuilder().setCode(CommandResult.Code.FAILED)
                    .setReason("could not be sent: " + e.getCause().getMessage()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandResult.newBuilder().setCode(CommandResult.Code.FAILED).setReason("interrupted").build();
        }
    }

    private static Manifest manifestOf(byte[] signed) throws BundleException {
        try {
            return Manifest.parseFrom(SignedManifest.parseFrom(signed).getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new BundleException("the rollout state holds a manifest that does not parse: " + e.getMessage());
        }
    }

    private static Set<String> groupsOf(List<? extends dev.pipit.protocol.v1.DeviceRolloutOrBuilder> devices) {
        Set<String> groups = new TreeSet<>();
        devices.forEach(d -> groups.add(d.getGroup()));
        return groups;
    }

    static boolean isFinal(Phase phase) {
        return phase == Phase.COMPLETED || phase == Phase.HALTED;
    }
}
