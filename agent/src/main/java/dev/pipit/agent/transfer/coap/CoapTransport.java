package dev.pipit.agent.transfer.coap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.pipit.agent.transfer.ChunkTopic;
import dev.pipit.agent.transfer.Transport;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.topic.Topics;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.SignedManifest;
import dev.pipit.protocol.v1.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.californium.core.WebLink;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.LinkFormat;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.observe.NotificationOrder;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The agent's {@link Transport} over CoAP (RFC 7252) with Californium: the v1 topics the agent uses map onto
 * the resources of {@code pipit fleet coap-serve} (protocol/README.md, "CoAP"), so the agent's pipeline is
 * the same as over MQTT.
 *
 * <ul>
 *   <li>Subscribing to {@code pipit/v1/models/+/manifest} observes (RFC 7641) the model index
 *       {@code /pipit/v1/models} and the manifest of every model it lists; every notification (and every
 *       re-registration when its Max-Age runs out) is delivered as a message on the model's manifest topic.</li>
 *   <li>Subscribing to a chunk topic GETs that chunk's byte range of {@code /pipit/v1/models/{m}/{v}/{variant}}
 *       block by block (RFC 7959 Block2, starting at the block that holds the chunk's first byte), one chunk at
 *       a time, and delivers it as a message on the chunk topic: the {@code Downloader} verifies it against the
 *       signed manifest and writes it, exactly as for MQTT. A lost exchange drops the chunk's partial bytes;
 *       the chunk is asked for again from its start once the server answers again.</li>
 *   <li>Status, memory and rejection reports are POSTed to {@code /pipit/v1/devices/{id}/reports}, Block1 when
 *       larger than a block, their protobuf type named by the Content-Format.</li>
 *   <li>Inference and commands are MQTT only: their subscriptions are ignored and {@link #reply} sends nothing.</li>
 * </ul>
 *
 * <p>The fleet is "connected" while the index observation stands; a request that exhausts its retransmissions
 * counts as a lost connection: observations are dropped and the index is observed again with exponential
 * backoff (1 s to 60 s, 20 % jitter). Every event runs on the agent's scheduler thread.
 */
public final class CoapTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(CoapTransport.class.getName());
    private static final String MANIFEST_FILTER = Topics.ROOT + "/models/+/manifest";
    static final String MODELS = "/" + Topics.ROOT + "/models";
    private static final int MAX_INDEX_BYTES = 256 << 10;
    private static final long REREGISTER_SLACK_MILLIS = 2000;
    private static final int MIN_BACKOFF_MILLIS = 1000;
    private static final int MAX_BACKOFF_MILLIS = 60_000;
    private static final long CLOSE_TIMEOUT_MILLIS = 3000;
    private static final int REMEMBERED_VARIANTS = 64;

    private final CoapSettings settings;
    private final String deviceId;
    private final int maxManifestBytes;
    private final Supplier<Will> sessionStart;
    private final ScheduledExecutorService scheduler;
    private final Handler handler;
    private final CoapEndpoint endpoint;
    private final String reports;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile long droppedReports;

    // Scheduler thread only.
    private int backoffMillis = MIN_BACKOFF_MILLIS;
    private ScheduledFuture<?> reconnect;
    private Observation index;
    private List<String> models = List.of();
    private boolean manifestsWanted;
    private final Map<String, Observation> manifests = new HashMap<>();
    /** The variants of the manifests delivered, by "model/version/variant": where each chunk's bytes are. */
    private final Map<String, Geometry> geometry = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Geometry> eldest) {
            return size() > REMEMBERED_VARIANTS;
        }
    };
    private final Set<String> wantedChunks = new LinkedHashSet<>();
    private String chunkTopic;
    private BlockRange chunkInFlight;

    /** A variant's payload size and chunk size, from its (not yet verified) manifest: only where to read. */
    private record Geometry(long payloadBytes, int chunkBytes) {
    }

    private CoapTransport(CoapSettings settings, String deviceId, BundleLimits limits, Supplier<Will> sessionStart,
                          ScheduledExecutorService scheduler, Handler handler, CoapEndpoint endpoint) {
        this.settings = settings;
        this.deviceId = Topics.segment(deviceId);
        this.maxManifestBytes = limits.maxManifestBytes();
        this.sessionStart = sessionStart;
        this.scheduler = scheduler;
        this.handler = handler;
        this.endpoint = endpoint;
        this.reports = "/" + Topics.ROOT + "/devices/" + this.deviceId + "/reports";
    }

    /**
     * Opens the UDP or DTLS endpoint (reading the DTLS credentials); {@link #start} then reaches the server.
     *
     * @param sessionStart asked before every attempt to reach the server, as MQTT asks for its Will: the agent
     *     numbers its sessions there (CoAP has no Will to send)
     * @param scheduler a single-threaded executor; every event handler runs on it
     * @throws IOException if a credentials file cannot be read or the endpoint cannot be opened
     */
    public static CoapTransport open(CoapSettings settings, String deviceId, BundleLimits limits,
                                     Supplier<Will> sessionStart, ScheduledExecutorService scheduler, Handler handler)
            throws IOException {
        CoapEndpoint endpoint = ClientEndpoint.create(settings);
        endpoint.start();
        return new CoapTransport(settings, deviceId, limits, sessionStart, scheduler, handler, endpoint);
    }

    @Override
    public void start() {
        execute(this::attempt);
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    public CoapSettings settings() {
        return settings;
    }

    @Override
    public void subscribe(List<String> filters) {
        for (String f : filters) {
            if (f.equals(MANIFEST_FILTER)) {
                manifestsWanted = true;
            } else if (ChunkTopic.parse(f) != null) {
                wantedChunks.add(f);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "{0} is not carried over CoAP", f);
            }
        }
        if (connected) {
            observeManifests();
            fetchNextChunk();
        }
    }

    @Override
    public void unsubscribe(List<String> filters) {
        for (String f : filters) {
            if (f.equals(MANIFEST_FILTER)) {
                manifestsWanted = false;
                manifests.values().forEach(Observation::cancel);
                manifests.clear();
            } else {
                wantedChunks.remove(f);
            }
        }
    }

    /** POSTs a DeviceStatus, MemoryReport or Rejection of this device to its reports resource. */
    @Override
    public boolean publish(String topic, Message message, int qos, boolean retained) {
        int format = ContentFormats.of(message);
        if (format < 0 || !deviceId.equals(Topics.deviceIdOf(topic))) {
            return false;
        }
        if (closed || !connected) {
            droppedReports++; // the next status after reconnecting says it all again
            return false;
        }
        post(message.toByteArray(), format, 0);
        return true;
    }

    /** Nothing is kept while the server is unreachable: the periodic status repeats what matters. */
    @Override
    public int bufferedReports() {
        return 0;
    }

    @Override
    public long droppedReports() {
        return droppedReports;
    }

    @Override
    public boolean reply(String responseTopic, byte[] correlationData, Message message) {
        return false;
    }

    @Override
    public void close() {
        close(null);
    }

    /** Sends {@code last} and waits up to 3 s for its acknowledgement, then releases the endpoint. */
    @Override
    public void close(Will last) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (connected && last != null && ContentFormats.of(last.message()) >= 0) {
                Request r = request(Request.newPost(), reports);
                r.getOptions().setContentFormat(ContentFormats.of(last.message()));
                r.setPayload(last.message().toByteArray());
                endpoint.sendRequest(r);
                r.waitForResponse(CLOSE_TIMEOUT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "last report to {0} failed: {1}", settings.uri(), e.getMessage());
        } finally {
            connected = false;
            cancelAll();
            endpoint.destroy();
        }
    }

    // ---- reaching the server ----

    private void attempt() {
        reconnect = null;
        if (closed) {
            return;
        }
        sessionStart.get();
        index = new Observation(MODELS, null, MAX_INDEX_BYTES);
        index.register();
    }

    /** The index arrived: the first time after an outage, that is the new session's start. */
    private void reachable() {
        if (!connected && !closed) {
            connected = true;
            backoffMillis = MIN_BACKOFF_MILLIS;
            handler.connected(false);
        }
    }

    /** A request exhausted its retransmissions, or DTLS failed: start over from the index after a backoff. */
    private void lost(String reason) {
        if (closed) {
            return;
        }
        cancelAll();
        if (connected) {
            connected = false;
            handler.connectionLost(reason);
        }
        if (reconnect == null) {
            long delay = backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 5 + 1);
            backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            LOG.log(System.Logger.Level.WARNING, "cannot reach {0} ({1}); retrying in {2} s", settings.uri(), reason,
                    String.format(java.util.Locale.ROOT, "%.1f", delay / 1000.0));
            try {
                reconnect = scheduler.schedule(guarded(this::attempt), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    private void cancelAll() {
        if (index != null) {
            index.cancel();
            index = null;
        }
        manifests.values().forEach(Observation::cancel);
        manifests.clear();
        chunkInFlight = null;
        chunkTopic = null;
    }

    // ---- manifests ----

    private void onIndex(byte[] linkFormat) {
        List<String> listed = LinkFormat.parse(new String(linkFormat, StandardCharsets.UTF_8)).stream()
                .map(WebLink::getURI).map(CoapTransport::modelOfManifestPath).filter(m -> m != null).distinct().toList();
        models = listed;
        reachable();
        observeManifests();
    }

    private void observeManifests() {
        if (!manifestsWanted || !connected) {
            return;
        }
        for (Iterator<Map.Entry<String, Observation>> it = manifests.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Observation> e = it.next();
            if (!models.contains(e.getKey())) {
                e.getValue().cancel(); // no longer served
                it.remove();
            }
        }
        for (String m : models) {
            if (!manifests.containsKey(m)) {
                Observation o = new Observation("/" + Topics.manifest(m), m, maxManifestBytes);
                manifests.put(m, o);
                o.register();
            }
        }
    }

    private void onManifest(String model, byte[] signed) {
        try {
            Manifest m = Manifest.parseFrom(SignedManifest.parseFrom(signed).getManifest());
            for (Variant v : m.getVariantsList()) {
                geometry.put(m.getModelId() + "/" + m.getVersion() + "/" + v.getId(),
                        new Geometry(v.getPayloadBytes(), v.getChunkBytes()));
            }
        } catch (InvalidProtocolBufferException e) {
            // the agent refuses it and reports why; nothing to fetch from it
        }
        handler.message(Topics.manifest(model), new MqttMessage(signed));
    }

    /** The model of {@code /pipit/v1/models/{model}/manifest}, or null. */
    static String modelOfManifestPath(String path) {
        String prefix = MODELS + "/";
        String suffix = "/manifest";
        if (!path.startsWith(prefix) || !path.endsWith(suffix) || path.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String model = path.substring(prefix.length(), path.length() - suffix.length());
        try {
            return model.contains("/") ? null : Topics.segment(model);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One observed resource: the model index or a model's manifest, re-registered when its Max-Age runs out. */
    private final class Observation {
        private final String path;
        private final String model;
        private final int limit;
        private Request request;
        private NotificationOrder order;
        private ScheduledFuture<?> refresh;
        private BlockRange assembling;
        private boolean cancelled;

        Observation(String path, String model, int limit) {
            this.path = path;
            this.model = model;
            this.limit = limit;
        }

        /** Registers, or re-registers with the same token (RFC 7641 3.3.1), replacing the server's entry. */
        void register() {
            Request r = request(Request.newGet(), path);
            r.setObserve();
            r.getOptions().setBlock2(settings.szx(), false, 0);
            if (request != null) {
                r.setToken(request.getToken());
            }
            request = r;
            order = null;
            send(r, response -> notified(r, response), reason -> {
                if (r == request && !cancelled) {
                    lost(path + ": " + reason);
                }
            });
        }

        void cancel() {
            cancelled = true;
            if (refresh != null) {
                refresh.cancel(false);
            }
            if (request != null && request.getToken() != null) {
                endpoint.cancelObservation(request.getToken());
            }
        }

        private void notified(Request r, Response response) {
            if (r != request || cancelled || closed) {
                return;
            }
            if (order != null && !order.isNew(response)) {
                return; // an older notification overtaken by a newer one
            }
            if (response.getOptions().hasObserve()) {
                order = new NotificationOrder(response.getOptions().getObserve());
            }
            scheduleRefresh(response.getOptions());
            if (response.getCode() != ResponseCode.CONTENT) {
                LOG.log(System.Logger.Level.WARNING, "{0} answered {1} {2}", path, response.getCode(),
                        response.getPayloadString());
                if (model == null) {
                    lost(path + " answered " + response.getCode());
                }
                return;
            }
            BlockRange range = new BlockRange(path, 0, Long.MAX_VALUE, limit, settings.szx());
            assembling = range;
            collect(path, range, response, () -> assembling == range && !cancelled, this::deliver);
        }

        private void deliver(byte[] bytes) {
            if (model == null) {
                onIndex(bytes);
            } else {
                onManifest(model, bytes);
            }
        }

        private void scheduleRefresh(OptionSet options) {
            if (refresh != null) {
                refresh.cancel(false);
            }
            long maxAge = options.hasMaxAge() ? options.getMaxAge() : 60; // RFC 7252 default
            try {
                refresh = scheduler.schedule(guarded(() -> {
                    if (!cancelled && !closed) {
                        register();
                    }
                }), maxAge * 1000 + REREGISTER_SLACK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    // ---- chunks ----

    /** Fetches the first wanted chunk, unless one is in flight. */
    private void fetchNextChunk() {
        if (chunkInFlight != null || closed || !connected) {
            return;
        }
        for (Iterator<String> it = wantedChunks.iterator(); it.hasNext(); ) {
            String topic = it.next();
            ChunkTopic c = ChunkTopic.parse(topic);
            Geometry g = geometry.get(c.modelId() + "/" + c.version() + "/" + c.variantId());
            if (g == null || g.chunkBytes() < 1 || (long) c.index() * g.chunkBytes() >= g.payloadBytes()) {
                LOG.log(System.Logger.Level.WARNING, "no manifest names chunk {0}: not fetched", topic);
                it.remove();
                continue;
            }
            long start = (long) c.index() * g.chunkBytes();
            int length = Chunks.size(g.payloadBytes(), g.chunkBytes(), c.index());
            String path = "/" + Topics.ROOT + "/models/" + c.modelId() + "/" + c.version() + "/" + c.variantId();
            BlockRange range = new BlockRange("chunk " + c.index() + " of " + path, start, start + length, length,
                    settings.szx());
            chunkInFlight = range;
            chunkTopic = topic;
            BooleanSupplier current = () -> chunkInFlight == range && wantedChunks.contains(topic) && !closed;
            requestBlock(path, range, current, bytes -> {
                chunkInFlight = null;
                chunkTopic = null;
                wantedChunks.remove(topic);
                handler.message(topic, new MqttMessage(bytes));
                fetchNextChunk();
            });
            return;
        }
    }

    /** GETs the next block of {@code range}; {@code done} gets the range once complete. */
    private void requestBlock(String path, BlockRange range, BooleanSupplier wanted, Consumer<byte[]> done) {
        Request r = request(Request.newGet(), path);
        r.getOptions().setBlock2(range.next());
        send(r, response -> {
            if (!wanted.getAsBoolean()) {
                return;
            }
            if (response.getCode() != ResponseCode.CONTENT) {
                LOG.log(System.Logger.Level.WARNING, "{0} answered {1} {2}", path, response.getCode(),
                        response.getPayloadString());
                abandon(range);
                return;
            }
            collect(path, range, response, wanted, done);
        }, reason -> {
            if (wanted.getAsBoolean()) {
                lost(path + ": " + reason);
            }
        });
    }

    /** Adds a response to a range, then asks for the next block or hands the range over. */
    private void collect(String path, BlockRange range, Response response, BooleanSupplier wanted, Consumer<byte[]> done) {
        try {
            if (range.add(response.getOptions().getBlock2(), response.getPayload(), etag(response.getOptions()))) {
                done.accept(range.bytes());
            } else {
                requestBlock(path, range, wanted, done);
            }
        } catch (BlockRange.BlockException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}", e.getMessage());
            abandon(range);
        }
    }

    /** A chunk the server would not give: dropped; the download's stall timeout decides what then. */
    private void abandon(BlockRange range) {
        if (range == chunkInFlight) {
            wantedChunks.remove(chunkTopic);
            chunkInFlight = null;
            chunkTopic = null;
            fetchNextChunk();
        }
    }

    // ---- reports ----

    /** POSTs a report: in one message, or block by block (Block1) when larger than a block. */
    private void post(byte[] body, int format, int num) {
        Request r = request(Request.newPost(), reports);
        r.getOptions().setContentFormat(format);
        int size = settings.blockSize();
        boolean blockwise = body.length > size;
        if (blockwise) {
            int from = num * size;
            int to = Math.min(body.length, from + size);
            r.getOptions().setBlock1(settings.szx(), to < body.length, num);
            if (num == 0) {
                r.getOptions().setSize1(body.length);
            }
            r.setPayload(Arrays.copyOfRange(body, from, to));
        } else {
            r.setPayload(body);
        }
        send(r, response -> {
            if (response.getCode() == ResponseCode.CONTINUE && blockwise) {
                post(body, format, num + 1);
            } else if (!response.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "{0} refused a report: {1} {2}", settings.uri(), response.getCode(),
                        response.getPayloadString());
            }
        }, reason -> lost(reports + ": " + reason));
    }

    // ---- plumbing ----

    private Request request(Request r, String path) {
        r.setURI(settings.uri().resolve(path));
        return r;
    }

    /** Sends a request; its response or failure is handled on the scheduler thread. */
    private void send(Request r, Consumer<Response> onResponse, Consumer<String> onFailure) {
        r.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                execute(() -> onResponse.accept(response));
            }

            @Override
            public void onTimeout() {
                execute(() -> onFailure.accept("no answer after " + (1 + endpointRetransmissions()) + " transmissions"));
            }

            @Override
            public void onReject() {
                execute(() -> onFailure.accept("reset by the server"));
            }

            @Override
            public void onSendError(Throwable error) {
                execute(() -> onFailure.accept(error.getMessage() == null ? error.toString() : error.getMessage()));
            }
        });
        endpoint.sendRequest(r);
    }

    private int endpointRetransmissions() {
        return endpoint.getConfig().get(org.eclipse.californium.core.config.CoapConfig.MAX_RETRANSMIT);
    }

    private static byte[] etag(OptionSet options) {
        return options.getETagCount() == 0 ? null : options.getETags().get(0);
    }

    private void execute(Runnable task) {
        try {
            scheduler.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "CoAP transport task failed", e);
            }
        };
    }

    @Override
    public String toString() {
        return "CoapTransport[" + settings.uri() + ", " + (settings.secure() ? settings.dtls().mode() : "plain") + "]";
    }
}
