package dev.pipit.fleet.coap;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.topic.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;

/**
 * Pipit's CoAP server (Eclipse Californium, Scandium for DTLS 1.2): serves model releases and takes device
 * reports under {@code /pipit/v1} (protocol/README.md, "CoAP"):
 *
 * <ul>
 *   <li>{@code /pipit/v1/models}: link-format index of the models, observable;</li>
 *   <li>{@code /pipit/v1/models/{model}/manifest}: the SignedManifest, observable: observers are notified when
 *       {@link #publish} serves a newer version;</li>
 *   <li>{@code /pipit/v1/models/{model}/{version}/{variant}}: the payload, Block2, 64 to 1024-byte blocks, Size2;</li>
 *   <li>{@code /pipit/v1/devices/{id}/reports}: POST of DeviceStatus, MemoryReport or Rejection, kept in
 *       {@link #reports()}.</li>
 * </ul>
 */
public final class CoapModelServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CoapModelServer.class.getName());
    private static final String LOGBACK_RESOURCE = "dev/pipit/fleet/broker/logback.xml";

    static {
        // Californium logs through SLF4J; in the fleet that is logback (HiveMQ's), kept to warnings as for the broker.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_RESOURCE);
        }
    }

    /**
     * @param maxBlockSize the largest Block2 served (and preferred); a power of two from 64 to 1024
     * @param maxReportBytes the largest report body accepted (Block1 included); larger gets 4.13 with Size1
     * @param maxDevices devices whose reports are kept
     * @param ackTimeout CoAP ACK_TIMEOUT for confirmable notifications (RFC 7252: 2 s)
     * @param maxAge Max-Age of the index and manifests: observers re-register when it runs out
     * @param limits bundle limits checked when a bundle is loaded
     */
    public record Options(int maxBlockSize, int maxReportBytes, int maxDevices, Duration ackTimeout, Duration maxAge,
                          BundleLimits limits) {

        public Options {
            if (maxBlockSize < 64 || maxBlockSize > 1024 || Integer.bitCount(maxBlockSize) != 1) {
                throw new IllegalArgumentException("block size must be 64, 128, 256, 512 or 1024 bytes, was " + maxBlockSize);
            }
            if (maxReportBytes < 256 || maxDevices < 1 || ackTimeout.toMillis() < 10 || maxAge.toSeconds() < 1) {
                throw new IllegalArgumentException("report limit must be at least 256 bytes; device count, ACK timeout"
                        + " and Max-Age must be positive");
            }
        }

        public static Options defaults() {
            return new Options(1024, 16 << 10, 100_000, Duration.ofSeconds(2), Duration.ofSeconds(60),
                    BundleLimits.defaults());
        }

        public Options withMaxBlockSize(int bytes) {
            return new Options(bytes, maxReportBytes, maxDevices, ackTimeout, maxAge, limits);
        }

        public Options withAckTimeout(Duration timeout) {
            return new Options(maxBlockSize, maxReportBytes, maxDevices, timeout, maxAge, limits);
        }

        public Options withMaxAge(Duration age) {
            return new Options(maxBlockSize, maxReportBytes, maxDevices, ackTimeout, age, limits);
        }
    }

    private final CoapServer server;
    private final CoapEndpoint endpoint;
    private final ModelsResource models;
    private final DeviceReports reports;
    private final ServerSecurity security;
    private final Options options;

    private CoapModelServer(CoapServer server, CoapEndpoint endpoint, ModelsResource models, DeviceReports reports,
                            ServerSecurity security, Options options) {
        this.server = server;
        this.endpoint = endpoint;
        this.models = models;
        this.reports = reports;
        this.security = security;
        this.options = options;
    }

    /**
     * Starts serving on {@code bind} (port 0 picks a free one): {@code coaps} with DTLS unless security is
     * {@link ServerSecurity.Plain}.
     */
    public static CoapModelServer start(InetSocketAddress bind, ServerSecurity security, Options options) throws IOException {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, options.maxReportBytes()); // Block1 reassembly of reports only
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, options.maxBlockSize());
        c.set(CoapConfig.MAX_MESSAGE_SIZE, options.maxBlockSize());
        c.set(CoapConfig.ACK_TIMEOUT, options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.MAX_ACK_TIMEOUT, Math.max(options.ackTimeout().toMillis() * 32, 60_000), TimeUnit.MILLISECONDS);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 2);
        CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(c);
        if (security instanceof ServerSecurity.Plain) {
            builder.setInetSocketAddress(bind);
        } else {
            c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
            c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
            DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(c).setAddress(bind);
            ServerSecurity.configure(security, dtls);
            builder.setConnector(new DTLSConnector(dtls.build()));
        }
        CoapEndpoint endpoint = builder.build();
        CoapServer server = new CoapServer(c);
        server.addEndpoint(endpoint);
        ModelsResource models = new ModelsResource(options.maxBlockSize(), options.maxAge().toSeconds());
        DeviceReports reports = new DeviceReports(options.maxDevices());
        CoapResource v1 = new CoapResource("v1");
        v1.add(models);
        v1.add(ReportsResource.devices(security instanceof ServerSecurity.Plain ? null : security::deviceOf, reports,
                options.maxReportBytes()));
        CoapResource root = new CoapResource(Topics.ROOT.substring(0, Topics.ROOT.indexOf('/')));
        root.add(v1);
        server.add(root);
        try {
            server.start();
        } catch (IllegalStateException e) {
            server.destroy();
            throw new IOException("cannot serve CoAP on " + bind + ": " + (e.getCause() != null ? e.getCause().getMessage()
                    : e.getMessage()), e);
        }
        CoapModelServer s = new CoapModelServer(server, endpoint, models, reports, security, options);
        LOG.log(System.Logger.Level.INFO, "serving CoAP on {0} ({1})", s.uri(), security.mode());
        return s;
    }

    /**
     * Loads a bundle and serves it: a new model, or a newer version of a model served (its observers are
     * notified). Nothing changes if the bundle is bad, older than what is served, or already served.
     *
     * @return false if exactly this release was already served
     */
    public boolean publish(Path bundle) throws IOException, BundleException {
        return models.publish(Release.load(bundle, options.limits()));
    }

    /** The releases served now, one per model. */
    public List<Release> releases() {
        return models.releases();
    }

    public DeviceReports reports() {
        return reports;
    }

    public int port() {
        return endpoint.getAddress().getPort();
    }

    /** {@code coap://} or {@code coaps://} with the bound address (127.0.0.1 for a wildcard bind) and port. */
    public URI uri() {
        InetSocketAddress a = endpoint.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create((security instanceof ServerSecurity.Plain ? "coap" : "coaps") + "://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    @Override
    public void close() {
        server.destroy();
    }
}
