package dev.pipit.agent;

import dev.pipit.agent.control.CommandHandler;
import dev.pipit.agent.infer.InferenceService;
import dev.pipit.agent.load.LoadedModel;
import dev.pipit.agent.load.ModelLoader;
import dev.pipit.agent.report.MemoryProbe;
import dev.pipit.agent.report.Reporter;
import dev.pipit.agent.select.Selection;
import dev.pipit.agent.select.SizeFormat;
import dev.pipit.agent.select.VariantSelector;
import dev.pipit.agent.store.AgentState;
import dev.pipit.agent.store.StateStore;
import dev.pipit.agent.transfer.ChunkDownload;
import dev.pipit.agent.transfer.ChunkTopic;
import dev.pipit.agent.transfer.Downloader;
import dev.pipit.agent.transfer.MqttConnection;
import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.bundle.ManifestVerifier;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.CommandResult;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.Rejection;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The device daemon: receives signed manifests, selects a variant ({@code select}), downloads it chunk by
 * chunk ({@code transfer}) into the state directory ({@code store}), checks and loads it ({@code load}),
 * serves inference ({@code infer}) and reports status, memory and rejections ({@code report}).
 *
 * <p>Threads: every MQTT event except inference runs on one scheduler thread, so the update pipeline
 * needs no locks; inference runs on its own thread with a bounded queue against the active model, which
 * is swapped atomically. Several agents may run in one JVM (the demo does): they share no state.
 */
public final class Agent implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** Largest batch an interpreter plans its arena for (less if the budget is tight); bigger requests run in slices. */
    static final int MAX_BATCH = 32;
    /** Largest batch one inference request may carry. */
    static final int MAX_REQUEST_BATCH = 256;
    private static final int INFERENCE_QUEUE = 32;
    private static final int REMEMBERED_REFUSALS = 64;
    private static final String MANIFEST_FILTER = Topics.ROOT + "/models/+/manifest";

    private final AgentConfig config;
    private final StateStore store;
    private final ManifestVerifier verifier;
    private final int threads;
    private final ScheduledThreadPoolExecutor loop;
    private final ThreadPoolExecutor inferencePool;
    private final AtomicReference<LoadedModel> active = new AtomicReference<>();
    private final MemoryProbe memoryProbe = new MemoryProbe();
    private final Reporter reporter;
    private final InferenceService inference;
    private final CommandHandler commands;
    private final MqttConnection mqtt;
    private final Downloader downloader;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    // Touched on the loop thread only.
    private final Map<String, byte[]> pending = new LinkedHashMap<>();
    private final Map<String, String> refused = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_REFUSALS; // topics are unauthenticated: bound what they can make us remember
        }
    };
    private Download downloading;
    private long sequence;
    private long nextSequence;

    /** The manifest behind the running download, and why its variant was chosen. */
    private record Download(byte[] signedManifest, String digest, String reason) {
    }

    private Agent(AgentConfig config) throws IOException {
        this.config = config;
        this.store = StateStore.open(config.stateDir());
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : config.trustedKeys()) {
            try {
                keys.add(KeyFiles.readPublic(p));
            } catch (NoSuchFileException e) {
                throw new IOException("trusted key " + p + " does not exist", e);
            }
        }
        this.verifier = new ManifestVerifier(keys, config.limits());
        this.threads = Math.max(1, Math.min(config.profile().cores(), Runtime.getRuntime().availableProcessors()));
        String id = config.deviceId();
        this.loop = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "pipit-agent-" + id));
        loop.setRemoveOnCancelPolicy(true);
        this.inferencePool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(INFERENCE_QUEUE), r -> daemon(r, "pipit-infer-" + id));
        this.inference = new InferenceService(active::get, MAX_REQUEST_BATCH);
        this.commands = new CommandHandler(this::report);
        try {
            this.mqtt = new MqttConnection(config.brokerUrl(), id, config.username(), config.password(), this::will,
                    loop, new Events());
        } catch (MqttException e) {
            loop.shutdownNow();
            inferencePool.shutdownNow();
            throw new IOException("cannot create an MQTT client for " + config.brokerUrl() + ": " + e.getMessage(), e);
        }
        this.reporter = new Reporter(id, config.profile().name(), version(), mqtt::publish);
        this.downloader = new Downloader(mqtt, loop, config.chunkWindow(),
                Duration.ofSeconds(config.stallTimeoutSeconds()), new DownloadEvents());
    }

    /**
     * Starts an agent: reads its state directory, restores and re-verifies the last good model (no broker
     * needed), then connects in the background, retrying until {@link #close}.
     *
     * @throws IOException if the state directory or a trusted key cannot be read
     */
    public static Agent start(AgentConfig config) throws IOException {
        Agent agent = new Agent(config);
        LOG.log(System.Logger.Level.INFO, "agent {0} starting: profile {1}, broker {2}, state in {3}", config.deviceId(),
                config.profile().name(), config.brokerUrl(), agent.store.root());
        agent.restore();
        long interval = config.reportIntervalSeconds();
        agent.loop.scheduleWithFixedDelay(agent.guarded(agent::report), interval, interval, TimeUnit.SECONDS);
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

    public boolean isConnected() {
        return mqtt.isConnected();
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops: the running download keeps its partial file for later, the retained status says offline, the
     * session ends with a normal disconnect.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        try {
            Future<?> last = loop.submit(guarded(() -> {
                downloader.cancel("agent stopping");
                mqtt.close(new MqttConnection.Will(Topics.deviceStatus(config.deviceId()),
                        reporter.status(false, sequence, active.get(), null, System.currentTimeMillis())));
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

    /** Loads the model the state directory names, re-verifying its manifest against today's trusted keys. */
    private void restore() {
        AgentState.Installed a = store.state().active();
        if (a == null) {
            return;
        }
        try {
            byte[] signed = Files.readAllBytes(store.manifestFile(a.modelId(), a.version()));
            Manifest m = verifier.verify(signed);
            if (!m.getModelId().equals(a.modelId()) || m.getVersion() != a.version()) {
                throw new BundleException("stored manifest is " + m.getModelId() + " v" + m.getVersion());
            }
            Variant v = variant(m, a.variant());
            LoadedModel model = ModelLoader.load(m, v, store.graphFile(a.modelId(), a.version(), a.variant()),
                    a.reason(), runtimeOptions(v), a.activatedEpochMillis());
            active.set(model);
            LOG.log(System.Logger.Level.INFO, "restored {0} from {1}", model, store.root());
        } catch (BundleException | IOException e) {
            refuse(a.modelId(), a.version(), a.variant(), "stored model cannot be restored: " + e.getMessage(), null);
        }
    }

    // ---- MQTT events (loop thread unless noted) ----

    private MqttConnection.Will will() {
        nextSequence = store.state().sequence() + 1;
        return new MqttConnection.Will(Topics.deviceStatus(config.deviceId()),
                reporter.status(false, nextSequence, active.get(), null, System.currentTimeMillis()));
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
                LOG.log(System.Logger.Level.INFO, "connected to {0} as {1} (session present: {2}, sequence {3})",
                        config.brokerUrl(), config.deviceId(), sessionPresent, Long.toString(sequence));
                mqtt.subscribe(List.of(MANIFEST_FILTER, Topics.deviceInfer(config.deviceId()),
                        Topics.deviceCommands(config.deviceId())));
                downloader.resubscribe();
                report();
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
        String model = manifestModel(topic);
        if (model != null) {
            onManifest(model, message.getPayload());
            return;
        }
        ChunkTopic chunk = ChunkTopic.parse(topic);
        if (chunk != null) {
            downloader.onChunk(chunk, message.getPayload());
        }
    }

    /** The model of a manifest topic {@code pipit/v1/models/{model}/manifest}, or null. */
    private static String manifestModel(String topic) {
        String prefix = Topics.ROOT + "/models/";
        String suffix = "/manifest";
        if (!topic.startsWith(prefix) || !topic.endsWith(suffix) || topic.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String model = topic.substring(prefix.length(), topic.length() - suffix.length());
        return model.contains("/") ? null : model;
    }

    // ---- the update pipeline ----

    private void onManifest(String topicModel, byte[] signed) {
        String digest = HexFormat.of().formatHex(Chunks.sha256(signed));
        if (digest.equals(refused.get(topicModel))) {
            return; // a re-delivery of a manifest already refused and reported
        }
        Manifest m;
        try {
            m = verifier.verify(signed);
            if (!m.getModelId().equals(topicModel)) {
                throw new BundleException("manifest for model " + m.getModelId() + " arrived on the topic of model "
                        + topicModel);
            }
            checkNames(m);
            if (m.getExpiresEpochMillis() != 0 && System.currentTimeMillis() > m.getExpiresEpochMillis()) {
                throw new BundleException("manifest of " + m.getModelId() + " v" + m.getVersion() + " expired at "
                        + Instant.ofEpochMilli(m.getExpiresEpochMillis()));
            }
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
        Selection selection = VariantSelector.select(m, config.profile());
        if (selection instanceof Selection.NoneFits none) {
            refuse(m.getModelId(), m.getVersion(), "", none.reason(), digest);
            return;
        }
        Variant v = ((Selection.Chosen) selection).variant();
        LOG.log(System.Logger.Level.INFO, "selected {0} v{1} {2}", m.getModelId(), Long.toString(m.getVersion()),
                selection.reason());
        Path graph = store.graphFile(m.getModelId(), m.getVersion(), v.getId());
        if (Files.exists(graph)) {
            activate(m, v, signed, digest, selection.reason(), graph); // downloaded before a restart
            return;
        }
        try {
            ChunkDownload d = ChunkDownload.open(m, v, store.partialFile(m.getModelId(), m.getVersion(), v.getId()));
            downloading = new Download(signed, digest, selection.reason());
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
            try {
                Path graph = store.install(m.getModelId(), m.getVersion(), variant, d.partialFile());
                activate(m, d.variant(), ctx.signedManifest(), ctx.digest(), ctx.reason(), graph);
            } catch (IOException e) {
                refuse(m.getModelId(), m.getVersion(), variant, "cannot store the download: " + e.getMessage(), null);
            }
            nextPending();
        }

        @Override
        public void failed(ChunkDownload d, String reason, boolean retryable) {
            Download ctx = downloading;
            downloading = null;
            refuse(d.manifest().getModelId(), d.manifest().getVersion(), d.variant().getId(), reason,
                    retryable || ctx == null ? null : ctx.digest());
            nextPending();
        }
    }

    /** Loads and checks a stored variant; only if everything passes is it recorded and swapped in. */
    private void activate(Manifest m, Variant v, byte[] signed, String digest, String reason, Path graph) {
        long now = System.currentTimeMillis();
        LoadedModel model;
        try {
            model = ModelLoader.load(m, v, graph, reason, runtimeOptions(v), now);
        } catch (BundleException | IOException e) {
            try {
                store.remove(m.getModelId(), m.getVersion(), v.getId());
            } catch (IOException io) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", graph, io.getMessage());
            }
            refuse(m.getModelId(), m.getVersion(), v.getId(), e.getMessage(), digest);
            return;
        }
        LoadedModel previous = active.get();
        try {
            store.saveManifest(m.getModelId(), m.getVersion(), signed);
            store.save(store.state().activated(new AgentState.Installed(m.getModelId(), m.getVersion(), v.getId(),
                    reason, now), digest));
        } catch (IOException e) {
            model.close();
            refuse(m.getModelId(), m.getVersion(), v.getId(), "cannot record the activation: " + e.getMessage(), null);
            return;
        }
        active.set(model);
        if (previous != null) {
            previous.close(); // waits for a request still running on it
        }
        LOG.log(System.Logger.Level.INFO, "activated {0}: weights {1} (predicted {2}), arena {3} for batches up to {4}"
                        + " (planned {5} at batch 1)", model, SizeFormat.bytes(model.weightBytes()),
                SizeFormat.bytes(v.getWeightBytes()), SizeFormat.bytes(model.arenaBytes()),
                Integer.toString(model.maxBatch()), SizeFormat.bytes(v.getPlannedPeakBytes()));
        Set<Long> keep = new HashSet<>(List.of(m.getVersion()));
        if (previous != null && previous.modelId().equals(m.getModelId())) {
            keep.add(previous.version()); // what a rollback would return to
        }
        try {
            store.prune(m.getModelId(), keep);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot prune old versions of {0}: {1}", m.getModelId(), e.getMessage());
        }
        report();
    }

    private void nextPending() {
        Iterator<Map.Entry<String, byte[]>> it = pending.entrySet().iterator();
        if (downloader.current() == null && it.hasNext()) {
            Map.Entry<String, byte[]> next = it.next();
            it.remove();
            onManifest(next.getKey(), next.getValue());
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
        report();
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

    /** Batch capacity sized to the device's budget; intra-op threads up to the profile's cores. */
    private RuntimeOptions runtimeOptions(Variant v) {
        return new RuntimeOptions(VariantSelector.maxBatch(v, config.profile(), MAX_BATCH), threads);
    }

    private static Variant variant(Manifest m, String id) throws BundleException {
        for (Variant v : m.getVariantsList()) {
            if (v.getId().equals(id)) {
                return v;
            }
        }
        throw new BundleException("manifest of " + m.getModelId() + " v" + m.getVersion() + " has no variant " + id);
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
        CommandResult result = commands.handle(message.getPayload());
        LOG.log(System.Logger.Level.INFO, "command answered {0}: {1}", result.getCode(), result.getReason());
        MqttProperties p = message.getProperties();
        if (p != null && p.getResponseTopic() != null && !p.getResponseTopic().isEmpty()) {
            mqtt.reply(p.getResponseTopic(), p.getCorrelationData(), result);
        }
    }

    /** Publishes the retained memory report and the retained status that carries it. */
    private void report() {
        if (!mqtt.isConnected()) {
            return;
        }
        LoadedModel model = active.get();
        MemoryReport memory = memoryProbe.sample(config.deviceId(), model, System.currentTimeMillis());
        boolean sent = reporter.publishMemory(memory)
                & reporter.publishStatus(reporter.status(true, sequence, model, memory, memory.getEpochMillis()));
        if (sent) {
            LOG.log(System.Logger.Level.INFO, "report published: rss {0} (peak {1}), heap {2} of {3}{4}",
                    SizeFormat.bytes(memory.getRssBytes()), SizeFormat.bytes(memory.getPeakRssBytes()),
                    SizeFormat.bytes(memory.getHeapUsedBytes()), SizeFormat.bytes(memory.getHeapMaxBytes()),
                    model == null ? ", no model active" : ", " + model + " weights "
                            + SizeFormat.bytes(memory.getWeightBytes()) + " arena " + SizeFormat.bytes(memory.getArenaBytes()));
        }
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
