package dev.pipit.agent;

import dev.pipit.agent.activate.Activator;
import dev.pipit.agent.control.CommandHandler;
import dev.pipit.agent.infer.InferenceService;
import dev.pipit.agent.infer.LocalSocket;
import dev.pipit.agent.load.LoadedModel;
import dev.pipit.agent.report.MemoryProbe;
import dev.pipit.agent.report.ProcStatus;
import dev.pipit.agent.report.Reporter;
import dev.pipit.agent.select.Selection;
import dev.pipit.agent.select.SizeFormat;
import dev.pipit.agent.select.VariantSelector;
import dev.pipit.agent.store.AgentState;
import dev.pipit.agent.store.Slot;
import dev.pipit.agent.store.StateStore;
import dev.pipit.agent.transfer.ChunkDownload;
import dev.pipit.agent.transfer.ChunkTopic;
import dev.pipit.agent.transfer.Downloader;
import dev.pipit.agent.transfer.MqttConnection;
import dev.pipit.agent.transfer.Transport;
import dev.pipit.agent.transfer.coap.CoapSettings;
import dev.pipit.agent.transfer.coap.CoapTransport;
import dev.pipit.agent.tune.Benchmark;
import dev.pipit.agent.tune.TunedProfile;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.ModelEvent;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.TuneReport;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.protocol.v1.VariantMeasurement;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.kernel.VectorKernelsProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The device daemon: receives signed manifests, selects a variant ({@code select}), downloads it chunk by
 * chunk ({@code transfer}) into a slot of the state directory ({@code store}), checks and activates it
 * ({@code activate}, {@code load}), serves inference ({@code infer}), measures its variants on command
 * ({@code tune}) and reports status, memory, events and rejections ({@code report}).
 *
 * <p>Threads: every MQTT event except inference runs on one scheduler thread, so the update pipeline
 * needs no locks; inference runs on its own thread with a bounded queue against the active model, which
 * is swapped atomically. Several agents may run in one JVM (the tests do): they share no state.
 */
public final class Agent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** Largest batch an interpreter plans its arena for (less if the budget is tight); bigger requests run in slices. */
    static final int MAX_BATCH = 32;
    /** Largest batch one inference request may carry. */
    static final int MAX_REQUEST_BATCH = 256;
    private static final int INFERENCE_QUEUE = 32;
    private static final int REMEMBERED_REFUSALS = 64;
    private static final int DEFAULT_TUNE_ITERATIONS = 200;
    private static final int MAX_TUNE_ITERATIONS = 10_000;
    /** How often the resident set is compared with the last report; a change of a tenth is reported. */
    private static final long CHANGE_CHECK_SECONDS = 10;
    private static final String MANIFEST_FILTER = Topics.ROOT + "/models/+/manifest";

    private final AgentConfig config;
    private final StateStore store;
    private final ManifestVerifier verifier;
    private final int maxThreads;
    private final ScheduledThreadPoolExecutor loop;
    private final ThreadPoolExecutor inferencePool;
    private final AtomicReference<LoadedModel> active = new AtomicReference<>();
    private final MemoryProbe memoryProbe = new MemoryProbe();
    private final Reporter reporter;
    private final InferenceService inference;
    private final CommandHandler commands;
    private final Transport mqtt;
    private final Downloader downloader;
    private final Activator activator;
    private final TunedProfile tuned;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile LocalSocket localSocket;

    // Touched on the loop thread only.
    private final Map<String, byte[]> pending = new LinkedHashMap<>();
    private final Map<String, String> refused = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_REFUSALS; // topics are unauthenticated: bound what they can make us remember
        }
    };
    private Download downloading;
    private Tuning tuning;
    private long sequence;
    private long nextSequence;
    private int reportInterval;
    private ScheduledFuture<?> periodicReport;
    private long lastReportedRss;

    /** The manifest behind the running download, why its variant was chosen, and what it is for. */
    private record Download(byte[] signedManifest, String digest, String reason, boolean forTuning) {
    }

    /** A tune command in progress: variants still to download, then to measure. */
    private record Tuning(Manifest manifest, byte[] signedManifest, String digest, ArrayDeque<Variant> toDownload,
                          List<Variant> candidates, Map<String, String> failed, int iterations,
                          Consumer<CommandResult> answer) {
    }

    private Agent(AgentConfig config, CoapSettings coap) throws IOException {
        this.config = config;
        this.store = StateStore.open(config.stateDir());
        // root metadata or plain keys; a rotated root is kept beside the state so a restart keeps its revocations
        this.verifier = ManifestVerifier.open(config.trustedKeys(), store.root().resolve("root.pb"), config.limits());
        this.maxThreads = Math.max(1, Math.min(config.profile().cores(), Runtime.getRuntime().availableProcessors()));
        this.tuned = TunedProfile.open(store.root(), config.profile().name());
        String id = config.deviceId();
        this.loop = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "pipit-agent-" + id));
        loop.setRemoveOnCancelPolicy(true);
        this.inferencePool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(INFERENCE_QUEUE), r -> daemon(r, "pipit-infer-" + id));
        this.inference = new InferenceService(active::get, MAX_REQUEST_BATCH);
        this.commands = new CommandHandler(new Actions());
        try {
            this.mqtt = coap != null ? CoapTransport.open(coap, id, config.limits(), this::will, loop, new Events())
                    : new MqttConnection(config.brokerUrl(), id, config.username(), config.password(), this::will,
                    loop, new Events(), new MqttConnection.Options(config.receiveMaximum(), config.sessionExpirySeconds(),
                    config.offlineBuffer(), maximumPacketBytes(config.limits()))).withSocketFactory(
                    dev.pipit.protocol.trust.NoDelaySocketFactory.forUrl(config.brokerUrl(), config.tls()));
        } catch (MqttException e) {
            loop.shutdownNow();
            inferencePool.shutdownNow();
            throw new IOException("cannot create an MQTT client for " + config.brokerUrl() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            loop.shutdownNow();
            inferencePool.shutdownNow();
            throw e;
        }
        this.reporter = new Reporter(id, config.profile().name(), version(), config.group(), mqtt::publish);
        this.downloader = new Downloader(mqtt, loop, config.chunkWindow(),
                Duration.ofSeconds(config.stallTimeoutSeconds()), new DownloadEvents());
        this.activator = new Activator(store, verifier, config.profile(), this::runtimeOptions, active,
                config.crashLoopRestarts(), new Changes());
        int stateInterval = store.state().reportIntervalSeconds();
        this.reportInterval = stateInterval > 0 ? stateInterval : config.reportIntervalSeconds();
    }

    /**
     * Starts an agent: reads its state directory, restores and re-verifies the last good model (no broker
     * needed; a crash loop or a failed self-test rolls back), opens the local inference socket if configured,
     * then connects in the background, retrying until {@link #close}.
     *
     * @throws IOException if the state directory, a trusted key or the local socket cannot be used
     */
    public static Agent start(AgentConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Starts an agent that reaches its fleet over CoAP ({@code transfer.coap}) rather than MQTT when {@code coap}
     * is given; {@code config.brokerUrl()} then only names the server in logs (the command sets it to the CoAP URI).
     */
    public static Agent start(AgentConfig config, CoapSettings coap) throws IOException {
        Agent agent = new Agent(config, coap);
        LOG.log(System.Logger.Level.INFO, "agent {0} starting: profile {1}, broker {2}, state in {3}", config.deviceId(),
                config.profile().name(), config.brokerUrl(), agent.store.root());
        try {
            agent.loop.submit(agent::restore).get();
            if (config.localSocket() != null) {
                agent.localSocket = LocalSocket.start(config.localSocket(), agent::infer, "pipit-local-" + config.deviceId());
                LOG.log(System.Logger.Level.INFO, "serving inference on {0}", config.localSocket());
            }
        } catch (IOException | ExecutionException | RuntimeException e) {
            agent.close();
            throw e instanceof IOException io ? io
                    : new IOException("agent " + config.deviceId() + " cannot start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            agent.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
        agent.loop.execute(agent.guarded(agent::scheduleReports));
        agent.mqtt.start();
        return agent;
    }

    public AgentConfig config() {
        return config;
    }

    /** The model serving inference now. */
    public Optional<ActiveModel> active() {
        return Optional.ofNullable(active.get()).map(LoadedModel::describe);
    }

    /** The last manifest, download or model this agent refused. */
    public Optional<Rejection> lastRejection() {
        return Optional.ofNullable(reporter.lastRejection());
    }

    /** The last activation or rollback. */
    public Optional<ModelEvent> lastEvent() {
        return Optional.ofNullable(reporter.lastEvent());
    }

    public boolean isConnected() {
        return mqtt.isConnected();
    }

    /**
     * Answers an InferenceRequest (serialized) with the active model, on the caller's thread: for an
     * application embedding the agent, and the local socket. Never throws.
     */
    public InferenceResponse infer(byte[] request) {
        return inference.answer(request);
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops: the running download keeps its partial file for later, the state records a clean stop, the
     * retained status says offline, the session ends with a normal disconnect.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        LocalSocket socket = localSocket;
        if (socket != null) {
            socket.close();
        }
        try {
            Future<?> last = loop.submit(guarded(() -> {
                downloader.cancel("agent stopping");
                activator.stopped();
                mqtt.close(new MqttConnection.Will(Topics.deviceStatus(config.deviceId()),
                        reporter.status(false, sequence, snapshot(), null, System.currentTimeMillis())));
            }));
            last.get(15, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            mqtt.close();
        } catch (InterruptedException e) {
            mqtt.close();
            Thread.currentThread().interrupt();
        } finally {
            loop.shutdownNow();
            inferencePool.shutdownNow();
            awaitTermination();
            LoadedModel model = active.getAndSet(null);
            if (model != null) {
                model.close();
            }
            LOG.log(System.Logger.Level.INFO, "agent {0} stopped", config.deviceId());
            stopped.countDown();
        }
    }

    private void awaitTermination() {
        try {
            if (!loop.awaitTermination(5, TimeUnit.SECONDS) || !inferencePool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "agent {0}: a task did not stop within 5 s", config.deviceId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitQuietly() {
        try {
            stopped.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- restart ----

    private void restore() {
        activator.restore();
        LoadedModel model = active.get();
        if (model != null && activator.onProbation()) {
            scheduleConfirmation(model);
        }
    }

    private void scheduleConfirmation(LoadedModel model) {
        loop.schedule(guarded(() -> activator.confirm(model)), config.probationSeconds(), TimeUnit.SECONDS);
    }

    // ---- MQTT events (loop thread unless noted) ----

    private MqttConnection.Will will() {
        nextSequence = store.state().sequence() + 1;
        return new MqttConnection.Will(Topics.deviceStatus(config.deviceId()),
                reporter.status(false, nextSequence, snapshot(), null, System.currentTimeMillis()));
    }

    private final class Events implements MqttConnection.Handler {

        @Override
        public void connected(boolean sessionPresent) {
            guarded(() -> {
                sequence = nextSequence;
                try {
                    store.save(store.state().withSequence(sequence));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot record status sequence {0}: {1}", Long.toString(sequence),
                            e.getMessage());
                }
                LOG.log(System.Logger.Level.INFO, "connected to {0} as {1} (session present: {2}, sequence {3}{4})",
                        config.brokerUrl(), config.deviceId(), sessionPresent, Long.toString(sequence),
                        mqtt.bufferedReports() == 0 ? "" : ", " + mqtt.bufferedReports() + " buffered reports to send"
                                + (mqtt.droppedReports() == 0 ? "" : ", " + mqtt.droppedReports() + " dropped"));
                mqtt.subscribe(List.of(MANIFEST_FILTER, Topics.deviceManifests(config.deviceId()),
                        Topics.deviceInfer(config.deviceId()), Topics.deviceCommands(config.deviceId())));
                downloader.resubscribe();
                report("connect");
            }).run();
        }

        /** On a Paho thread: inference goes to its own thread, the rest to the loop. */
        @Override
        public void message(String topic, MqttMessage message) {
            if (topic.equals(Topics.deviceInfer(config.deviceId()))) {
                serveInference(message);
                return;
            }
            try {
                loop.execute(guarded(() -> dispatch(topic, message)));
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }

        @Override
        public void connectionLost(String reason) {
            LOG.log(System.Logger.Level.WARNING, "connection to {0} lost: {1}", config.brokerUrl(), reason);
        }
    }

    private void dispatch(String topic, MqttMessage message) {
        if (topic.equals(Topics.deviceCommands(config.deviceId()))) {
            command(message);
            return;
        }
        String model = Topics.manifestModelOf(topic, config.deviceId());
        if (model != null) {
            if (message.getPayload().length > 0) { // empty: a rollout cleared this device's retained manifest
                onManifest(model, message.getPayload());
            }
            return;
        }
        ChunkTopic chunk = ChunkTopic.parse(topic);
        if (chunk != null) {
            downloader.onChunk(chunk, message.getPayload());
        }
    }

    // ---- the update pipeline ----

    private void onManifest(String topicModel, byte[] signed) {
        String digest = HexFormat.of().formatHex(Chunks.sha256(signed));
        if (digest.equals(refused.get(topicModel))) {
            return; // a re-delivery of a manifest already refused and reported
        }
        Manifest m;
        try {
            m = verifier.verifyUpdate(signed, System.currentTimeMillis()); // also refuses expired roots and manifests
            if (!m.getModelId().equals(topicModel)) {
                throw new BundleException("manifest for model " + m.getModelId() + " arrived on the topic of model "
                        + topicModel);
            }
            if (!config.models().isEmpty() && !config.models().contains(m.getModelId())) {
                throw new BundleException("model " + m.getModelId() + " is not one this device is configured for "
                        + new java.util.TreeSet<>(config.models()));
            }
            checkNames(m);
        } catch (BundleException e) {
            refuse(topicModel, 0, "", e.getMessage(), digest);
            return;
        }
        AgentState.Trusted trusted = store.state().trusted().get(m.getModelId());
        if (trusted != null && m.getVersion() <= trusted.version()) {
            if (m.getVersion() == trusted.version() && digest.equals(trusted.manifestSha256())) {
                return; // the installed manifest, delivered again (retained, or after a reconnection)
            }
            refuse(m.getModelId(), m.getVersion(), "", "version " + m.getVersion() + " of " + m.getModelId()
                    + " is not newer than version " + trusted.version() + ", already accepted (rollback refused)", digest);
            return;
        }
        if (tuning != null) {
            pending.put(m.getModelId(), signed); // after tuning, which needs the downloader and the active slot
            LOG.log(System.Logger.Level.INFO, "manifest {0} v{1} waits for tuning to finish", m.getModelId(),
                    Long.toString(m.getVersion()));
            return;
        }
        ChunkDownload running = downloader.current();
        if (running != null) {
            Manifest r = running.manifest();
            if (!r.getModelId().equals(m.getModelId())) {
                pending.put(m.getModelId(), signed);
                LOG.log(System.Logger.Level.INFO, "manifest {0} v{1} waits for the download of {2}", m.getModelId(),
                        Long.toString(m.getVersion()), running);
                return;
            }
            if (m.getVersion() <= r.getVersion()) {
                return; // the download in progress is this version or newer
            }
            downloader.cancel("superseded by version " + m.getVersion());
            downloading = null;
        }
        LOG.log(System.Logger.Level.INFO, "manifest {0} v{1} verified: {2} variants", m.getModelId(),
                Long.toString(m.getVersion()), Integer.toString(m.getVariantsCount()));
        Selection selection = VariantSelector.select(m, config.profile(), tuned.latencies(m.getModelId()));
        if (selection instanceof Selection.NoneFits none) {
            refuse(m.getModelId(), m.getVersion(), "", none.reason(), digest);
            return;
        }
        Variant v = ((Selection.Chosen) selection).variant();
        LOG.log(System.Logger.Level.INFO, "selected {0} v{1} {2}", m.getModelId(), Long.toString(m.getVersion()),
                selection.reason());
        try {
            Slot stored = store.find(signed, v.getId());
            if (stored != null) { // installed before a crash or a restart: no download
                activate(stored, m, v, digest, selection.reason());
                return;
            }
            ChunkDownload d = ChunkDownload.open(m, v, store.partialFile(m.getModelId(), m.getVersion(), v.getId()));
            downloading = new Download(signed, digest, selection.reason(), false);
            downloader.start(d);
        } catch (IOException e) {
            refuse(m.getModelId(), m.getVersion(), v.getId(), "cannot start the download: " + e.getMessage(), null);
        }
    }

    private final class DownloadEvents implements Downloader.Listener {

        @Override
        public void downloaded(ChunkDownload d) {
            Download ctx = downloading;
            downloading = null;
            Manifest m = d.manifest();
            String variant = d.variant().getId();
            Slot slot;
            try {
                slot = store.claim(m.getModelId(), m.getVersion(), ctx.signedManifest());
                store.install(slot, variant, d.partialFile());
            } catch (IOException e) {
                refuse(m.getModelId(), m.getVersion(), variant, "cannot store the download: " + e.getMessage(), null);
                if (ctx.forTuning()) {
                    tuning.failed().put(variant, "cannot store the download: " + e.getMessage());
                    continueTuning();
                } else {
                    nextPending();
                }
                return;
            }
            if (ctx.forTuning()) {
                LOG.log(System.Logger.Level.INFO, "stored {0} for tuning", d);
                continueTuning();
                return;
            }
            boolean ok = activate(slot, m, d.variant(), ctx.digest(), ctx.reason());
            if (ok && config.tuneAfterActivation()) {
                startTune(DEFAULT_TUNE_ITERATIONS, r -> LOG.log(System.Logger.Level.INFO, "tuning after activation: {0}",
                        r.getReason()));
            }
            if (tuning == null) {
                nextPending();
            }
        }

        @Override
        public void failed(ChunkDownload d, String reason, boolean retryable) {
            Download ctx = downloading;
            downloading = null;
            if (ctx != null && ctx.forTuning()) {
                LOG.log(System.Logger.Level.WARNING, "download for tuning failed: {0}", reason);
                tuning.failed().put(d.variant().getId(), "download failed: " + reason);
                continueTuning();
                return;
            }
            refuse(d.manifest().getModelId(), d.manifest().getVersion(), d.variant().getId(), reason,
                    retryable || ctx == null ? null : ctx.digest());
            nextPending();
        }
    }

    private boolean activate(Slot slot, Manifest m, Variant v, String digest, String reason) {
        String failure = activator.activate(slot, m, v, digest, reason);
        if (failure != null) {
            refused.put(m.getModelId(), digest); // reported by the activator; not tried again until it changes
        }
        return failure == null;
    }

    private void nextPending() {
        Iterator<Map.Entry<String, byte[]>> it = pending.entrySet().iterator();
        if (downloader.current() == null && tuning == null && it.hasNext()) {
            Map.Entry<String, byte[]> next = it.next();
            it.remove();
            onManifest(next.getKey(), next.getValue());
        }
    }

    /** What the activator decided: events and status. */
    private final class Changes implements Activator.Listener {

        @Override
        public void changed(ModelEvent.Kind kind, ActiveModel now, ActiveModel previous, String reason) {
            reporter.modelChanged(kind, now, previous, reason, System.currentTimeMillis());
            LoadedModel model = active.get();
            if (kind == ModelEvent.Kind.ACTIVATED && model != null) {
                scheduleConfirmation(model);
            }
            report("activation");
        }

        @Override
        public void refused(String modelId, long version, String variant, String reason) {
            refuse(modelId, version, variant, reason, null);
        }
    }

    /**
     * Reports a refusal (event, log, status); the active model is untouched.
     *
     * @param permanentDigest the manifest to ignore from now on (it cannot become acceptable), or null
     */
    private void refuse(String model, long version, String variant, String reason, String permanentDigest) {
        if (permanentDigest != null) {
            refused.put(model, permanentDigest);
        }
        LOG.log(System.Logger.Level.WARNING, "rejected {0}{1}{2}: {3}", model, version == 0 ? "" : " v" + version,
                variant.isEmpty() ? "" : " " + variant, reason);
        reporter.reject(model, version, variant, reason, System.currentTimeMillis());
        report("rejection");
    }

    private static void checkNames(Manifest m) throws BundleException {
        try {
            StateStore.checkName("model id", m.getModelId());
            for (Variant v : m.getVariantsList()) {
                StateStore.checkName("variant id", v.getId());
            }
        } catch (IllegalArgumentException e) {
            throw new BundleException(e.getMessage());
        }
    }

    /**
     * Batch capacity sized to the device's budget; intra-op threads as tuning measured best for this variant,
     * else as configured.
     */
    private RuntimeOptions runtimeOptions(String modelId, Variant v) {
        TunedProfile.Measured measured = tuned.lookup(modelId, v);
        int threads = measured != null ? measured.threads()
                : config.inferenceThreads() == 0 ? maxThreads : config.inferenceThreads();
        return new RuntimeOptions(VariantSelector.maxBatch(v, config.profile(), MAX_BATCH), Math.max(1, threads));
    }

    /**
     * The largest MQTT packet the device takes: a manifest or chunk at the bundle limits, or an inference request
     * as large as the local socket takes, plus room for the topic and properties.
     */
    static long maximumPacketBytes(BundleLimits limits) {
        return Math.max(Math.max(limits.maxManifestBytes(), limits.maxChunkBytes()), LocalSocket.MAX_REQUEST_BYTES)
                + (64 << 10);
    }

    // ---- tuning ----

    /** Measures every variant of the active version that fits; {@code answer} gets the outcome. */
    private void startTune(int iterations, Consumer<CommandResult> answer) {
        LoadedModel model = active.get();
        AgentState.Installed a = store.state().active();
        if (tuning != null) {
            answer.accept(CommandHandler.result(CommandResult.Code.REJECTED, "tuning is already running"));
            return;
        }
        if (model == null || a == null) {
            answer.accept(CommandHandler.result(CommandResult.Code.REJECTED, "no model active"));
            return;
        }
        if (downloader.current() != null) {
            answer.accept(CommandHandler.result(CommandResult.Code.REJECTED, "the download of " + downloader.current()
                    + " is running; tune when it is done"));
            return;
        }
        byte[] signed;
        Manifest m;
        List<String> stored;
        try {
            signed = Files.readAllBytes(store.manifestFile(a.slot()));
            m = verifier.verify(signed);
            stored = store.variants(a.slot());
        } catch (IOException | BundleException e) {
            answer.accept(CommandHandler.result(CommandResult.Code.FAILED, "the active manifest cannot be read: "
                    + e.getMessage()));
            return;
        }
        List<Variant> candidates = VariantSelector.candidates(m, config.profile());
        ArrayDeque<Variant> missing = new ArrayDeque<>(candidates.stream().filter(v -> !stored.contains(v.getId())).toList());
        tuning = new Tuning(m, signed, HexFormat.of().formatHex(Chunks.sha256(signed)), missing, candidates,
                new LinkedHashMap<>(), iterations == 0 ? DEFAULT_TUNE_ITERATIONS : Math.min(iterations, MAX_TUNE_ITERATIONS),
                answer);
        LOG.log(System.Logger.Level.INFO, "tuning {0} v{1}: measuring {2}{3}", m.getModelId(), Long.toString(m.getVersion()),
                candidates.stream().map(Variant::getId).toList(), missing.isEmpty() ? ""
                        : ", downloading " + missing.stream().map(Variant::getId).toList() + " first");
        continueTuning();
    }

    private void continueTuning() {
        Tuning t = tuning;
        if (!t.toDownload().isEmpty()) {
            Variant v = t.toDownload().poll();
            Manifest m = t.manifest();
            try {
                ChunkDownload d = ChunkDownload.open(m, v, store.partialFile(m.getModelId(), m.getVersion(), v.getId()));
                downloading = new Download(t.signedManifest(), t.digest(), "for tuning", true);
                downloader.start(d);
            } catch (IOException e) {
                t.failed().put(v.getId(), "cannot start the download: " + e.getMessage());
                continueTuning();
            }
            return;
        }
        try {
            finishTuning(t);
        } finally {
            tuning = null;
            nextPending();
        }
    }

    private void finishTuning(Tuning t) {
        Manifest m = t.manifest();
        AgentState.Installed a = store.state().active();
        long latencyBudget = Math.round(config.profile().latencyBudgetMillis() * 1000);
        TuneReport.Builder r = TuneReport.newBuilder().setDeviceId(config.deviceId()).setModelId(m.getModelId())
                .setVersion(m.getVersion()).setLatencyBudgetMillis(config.profile().latencyBudgetMillis())
                .setKernels(VectorKernelsProvider.get().name());
        Map<String, Variant> byId = new LinkedHashMap<>();
        for (Variant v : t.candidates()) {
            byId.put(v.getId(), v);
            String failure = t.failed().get(v.getId());
            if (failure != null || a == null || !a.sameVersion(m.getModelId(), m.getVersion())) {
                r.addVariants(VariantMeasurement.newBuilder().setVariant(v.getId()).setAccuracy(v.getAccuracy())
                        .setError(failure != null ? failure : "the active model changed while tuning"));
                continue;
            }
            RuntimeOptions o = new RuntimeOptions(VariantSelector.maxBatch(v, config.profile(), MAX_BATCH), maxThreads);
            VariantMeasurement vm = Benchmark.measure(m, v, store.graphFile(a.slot(), v.getId()), o,
                    config.profile().modelMemoryBudgetBytes(), t.iterations(), latencyBudget);
            LOG.log(System.Logger.Level.INFO, "measured {0}: {1}", v.getId(), vm.getError().isEmpty()
                    ? "p50 " + vm.getP50Micros() + " µs, p90 " + vm.getP90Micros() + " µs with " + vm.getThreads()
                    + " thread(s), weights " + SizeFormat.bytes(vm.getWeightBytes()) + ", arena "
                    + SizeFormat.bytes(vm.getArenaBytes()) + ", heap retained " + SizeFormat.bytes(vm.getRetainedHeapBytes())
                    : vm.getError());
            r.addVariants(vm);
        }
        Map<String, Long> p50 = new LinkedHashMap<>();
        r.getVariantsList().stream().filter(vm -> vm.getError().isEmpty())
                .forEach(vm -> p50.put(vm.getVariant(), vm.getP50Micros()));
        if (p50.isEmpty()) {
            r.setReason("nothing could be measured").setEpochMillis(System.currentTimeMillis())
                    .setSelected(a == null ? "" : a.variant());
            reporter.tuned(r.build());
            t.answer().accept(CommandHandler.result(CommandResult.Code.FAILED, "nothing could be measured: " + t.failed()));
            return;
        }
        Selection s = VariantSelector.select(m, config.profile(), v -> p50.getOrDefault(v.getId(), -1L));
        String chosen = s instanceof Selection.Chosen c ? c.variant().getId() : a.variant();
        String outcome = "keeps " + a.variant();
        CommandResult.Code code = CommandResult.Code.OK;
        if (!chosen.equals(a.variant())) {
            String failure;
            try {
                failure = activator.activateStored(m.getVersion(), chosen, "tuned: " + s.reason());
            } catch (Activator.RefusedException e) {
                failure = e.getMessage();
            }
            outcome = failure == null ? "switched from " + a.variant() + " to " + chosen : "could not switch to " + chosen
                    + ": " + failure;
            code = failure == null ? CommandResult.Code.OK : CommandResult.Code.FAILED;
        }
        AgentState.Installed now = store.state().active();
        TuneReport report = r.setSelected(now == null ? "" : now.variant()).setReason(outcome + "; " + s.reason())
                .setEpochMillis(System.currentTimeMillis()).build();
        try {
            tuned.record(report, byId);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the tuned profile: {0}", e.getMessage());
        }
        reporter.tuned(report);
        report("tune");
        String figures = String.join(", ", p50.entrySet().stream().map(e -> e.getKey() + " p50 " + e.getValue() + " µs")
                .toList());
        LOG.log(System.Logger.Level.INFO, "tuned {0} v{1}: {2}; {3}", m.getModelId(), Long.toString(m.getVersion()),
                figures, outcome);
        t.answer().accept(CommandHandler.result(code, figures + "; " + outcome));
    }

    // ---- serving and reporting ----

    /** On a Paho thread: queue the request, or answer at once that the agent is busy. */
    private void serveInference(MqttMessage message) {
        MqttProperties p = message.getProperties();
        String responseTopic = p == null ? null : p.getResponseTopic();
        if (responseTopic == null || responseTopic.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "inference request without a response topic ignored");
            return;
        }
        byte[] correlation = p.getCorrelationData();
        byte[] payload = message.getPayload();
        try {
            inferencePool.execute(guarded(() -> mqtt.reply(responseTopic, correlation, inference.answer(payload))));
        } catch (RejectedExecutionException e) {
            mqtt.reply(responseTopic, correlation, InferenceService.refusal(closing.get() ? "agent is stopping"
                    : "agent busy: " + INFERENCE_QUEUE + " requests already queued"));
        }
    }

    private void command(MqttMessage message) {
        MqttProperties p = message.getProperties();
        String responseTopic = p == null ? null : p.getResponseTopic();
        byte[] correlation = p == null ? null : p.getCorrelationData();
        commands.handle(message.getPayload(), result -> {
            LOG.log(System.Logger.Level.INFO, "command answered {0}: {1}", result.getCode(), result.getReason());
            if (responseTopic != null && !responseTopic.isEmpty()) {
                mqtt.reply(responseTopic, correlation, result);
            }
        });
    }

    /** The commands, on the loop thread. */
    private final class Actions implements CommandHandler.Actions {

        @Override
        public void reportNow() {
            report("request");
        }

        @Override
        public CommandResult activate(long version, String variant) {
            if (tuning != null || downloader.current() != null) {
                return CommandHandler.result(CommandResult.Code.REJECTED, "busy: a download or tuning is running");
            }
            try {
                String failure = activator.activateStored(version, variant, "activated by command");
                return failure == null ? CommandHandler.result(CommandResult.Code.OK, "activated " + active.get())
                        : CommandHandler.result(CommandResult.Code.FAILED, failure);
            } catch (Activator.RefusedException e) {
                return CommandHandler.result(CommandResult.Code.REJECTED, e.getMessage());
            }
        }

        @Override
        public CommandResult rollback(long expectedVersion, String modelId) {
            if (tuning != null) {
                return CommandHandler.result(CommandResult.Code.REJECTED, "busy: tuning is running");
            }
            try {
                String failure = activator.rollback(expectedVersion, modelId);
                return failure == null ? CommandHandler.result(CommandResult.Code.OK, "rolled back to " + active.get())
                        : CommandHandler.result(CommandResult.Code.FAILED, failure);
            } catch (Activator.StaleException e) {
                return CommandHandler.result(CommandResult.Code.PRECONDITION_FAILED, e.getMessage());
            } catch (Activator.RefusedException e) {
                return CommandHandler.result(CommandResult.Code.REJECTED, e.getMessage());
            }
        }

        @Override
        public CommandResult setReportInterval(int seconds) {
            try {
                store.save(store.state().withReportInterval(seconds));
            } catch (IOException e) {
                return CommandHandler.result(CommandResult.Code.FAILED, "cannot record the interval: " + e.getMessage());
            }
            reportInterval = seconds;
            scheduleReports();
            report("request");
            return CommandHandler.result(CommandResult.Code.OK, "reports every " + seconds + " s");
        }

        @Override
        public void tune(int iterations, Consumer<CommandResult> answer) {
            startTune(iterations, answer);
        }
    }

    /** (Re)schedules the periodic report and the check for memory changes. */
    private void scheduleReports() {
        if (periodicReport != null) {
            periodicReport.cancel(false);
        }
        periodicReport = loop.scheduleWithFixedDelay(guarded(() -> report("periodic")), reportInterval, reportInterval,
                TimeUnit.SECONDS);
        if (lastReportedRss == 0) { // the change check is scheduled once
            lastReportedRss = -1;
            long every = Math.min(CHANGE_CHECK_SECONDS, reportInterval);
            loop.scheduleWithFixedDelay(guarded(this::reportIfChanged), every, every, TimeUnit.SECONDS);
        }
    }

    private void reportIfChanged() {
        long rss = ProcStatus.read(Path.of("/proc/self/status")).rssBytes();
        if (lastReportedRss > 0 && Math.abs(rss - lastReportedRss) * 10 > lastReportedRss) {
            report("change");
        }
    }

    private Reporter.Snapshot snapshot() {
        return new Reporter.Snapshot(active.get(), activator.rollbackTarget(), activator.onProbation(),
                mqtt.droppedReports(), reportInterval);
    }

    /** Publishes the retained memory report and the retained status that carries it (buffered while offline). */
    private void report(String trigger) {
        LoadedModel model = active.get();
        MemoryReport memory = memoryProbe.sample(config.deviceId(), model, config.profile().modelMemoryBudgetBytes(),
                trigger, System.currentTimeMillis());
        lastReportedRss = memory.getRssBytes();
        boolean sent = reporter.publishMemory(memory)
                & reporter.publishStatus(reporter.status(true, sequence, snapshot(), memory, memory.getEpochMillis()));
        LOG.log(sent ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                "report {0} ({1}): rss {2} (peak {3}), heap {4} of {5}{6}", sent ? "published" : "buffered", trigger,
                SizeFormat.bytes(memory.getRssBytes()), SizeFormat.bytes(memory.getPeakRssBytes()),
                SizeFormat.bytes(memory.getHeapUsedBytes()), SizeFormat.bytes(memory.getHeapMaxBytes()),
                model == null ? ", no model active" : ", " + model + " weights "
                        + SizeFormat.bytes(memory.getWeightBytes()) + " arena " + SizeFormat.bytes(memory.getArenaBytes()));
    }

    /** Wraps a task so that a failure is logged instead of silently cancelling it (executors swallow them). */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "agent " + config.deviceId() + " task failed", e);
            } catch (Error e) {
                LOG.log(System.Logger.Level.ERROR, "agent " + config.deviceId() + " task failed", e);
                throw e;
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** This agent's version, as DeviceStatus reports it: the jar's Implementation-Version. */
    public static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
