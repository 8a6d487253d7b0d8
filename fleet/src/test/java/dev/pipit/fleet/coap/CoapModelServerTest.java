package dev.pipit.fleet.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.DeviceStatus;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.MemoryReport;
import dev.pipit.protocol.v1.SignedManifest;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pipit CoAP server against Californium's own client, over plain CoAP on 127.0.0.1. */
class CoapModelServerTest {

    @TempDir
    Path dir;

    private KeyPair key;
    private CoapModelServer server;
    private CoapEndpoint endpoint;
    private CoapEndpoint rawEndpoint;

    @BeforeEach
    void start() throws Exception {
        key = KeyFiles.generate();
        server = CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0), new ServerSecurity.Plain(),
                CoapModelServer.Options.defaults().withMaxBlockSize(512));
        endpoint = endpoint(64 << 10);
        rawEndpoint = endpoint(0);
    }

    /** A client endpoint; {@code maxBody} 0 turns Californium's transparent block-wise transfer off. */
    private static CoapEndpoint endpoint(int maxBody) throws Exception {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxBody);
        CoapEndpoint e = new CoapEndpoint.Builder().setConfiguration(c).setInetSocketAddress(new InetSocketAddress(0)).build();
        e.start();
        return e;
    }

    @AfterEach
    void stop() {
        endpoint.destroy();
        rawEndpoint.destroy();
        server.close();
    }

    private CoapClient client(String path) {
        CoapClient c = new CoapClient(server.uri() + path);
        c.setEndpoint(endpoint);
        c.setTimeout(5000L);
        return c;
    }

    private CoapResponse getBlock(String path, int szx, int num) throws Exception {
        Request r = Request.newGet();
        r.getOptions().setBlock2(szx, false, num);
        CoapClient c = client(path);
        c.setEndpoint(rawEndpoint);
        return c.advanced(r);
    }

    @Test
    void variant_blocksAskedAtAnyOffset_addUpToThePayloadAndCarrySize2() throws Exception {
        CoapReleases.Written w = CoapReleases.write(dir.resolve("b.pipit"), "tiny", 1, 64, 32, 1024, key);
        assertTrue(server.publish(w.file()));
        String path = "/pipit/v1/models/tiny/1/fp32";
        byte[] payload = w.payload();

        CoapResponse fifth = getBlock(path, BlockOption.size2Szx(64), 5);
        assertEquals(ResponseCode.CONTENT, fifth.getCode());
        assertArrayEquals(Arrays.copyOfRange(payload, 320, 384), fifth.getPayload());
        assertEquals(payload.length, fifth.getOptions().getSize2());
        assertEquals(ContentFormats.OCTET_STREAM, fifth.getOptions().getContentFormat());

        // 1024 asked of a server that serves at most 512: block 3 of 1024 is block 6 of 512 (RFC 7959 2.2)
        CoapResponse renumbered = getBlock(path, BlockOption.size2Szx(1024), 3);
        assertEquals(new BlockOption(BlockOption.size2Szx(512), true, 6), renumbered.getOptions().getBlock2());
        assertArrayEquals(Arrays.copyOfRange(payload, 3072, 3584), renumbered.getPayload());

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int num = 0; ; num++) {
            CoapResponse block = getBlock(path, BlockOption.size2Szx(256), num);
            all.writeBytes(block.getPayload());
            if (!block.getOptions().getBlock2().isM()) {
                break;
            }
        }
        assertArrayEquals(payload, all.toByteArray());

        assertEquals(ResponseCode.BAD_OPTION, getBlock(path, BlockOption.size2Szx(32), 0).getCode());
        assertEquals(ResponseCode.BAD_OPTION, getBlock(path, BlockOption.size2Szx(64), payload.length / 64 + 1).getCode());
        assertEquals(ResponseCode.NOT_FOUND, getBlock("/pipit/v1/models/tiny/9/fp32", 2, 0).getCode());
    }

    @Test
    void manifest_observed_notifiedOfANewerVersionAndNeverOfAnOlderOne() throws Exception {
        server.publish(CoapReleases.write(dir.resolve("v1.pipit"), "tiny", 1, 16, 8, 256, key).file());
        BlockingQueue<Long> versions = new LinkedBlockingQueue<>();
        CoapObserveRelation relation = client("/pipit/v1/models/tiny/manifest").observe(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse r) {
                try {
                    assertEquals(ContentFormats.SIGNED_MANIFEST, r.getOptions().getContentFormat());
                    versions.add(Manifest.parseFrom(SignedManifest.parseFrom(r.getPayload()).getManifest()).getVersion());
                } catch (Exception e) {
                    versions.add(-1L);
                }
            }

            @Override
            public void onError() {
                versions.add(-2L);
            }
        });
        try {
            assertEquals(1L, versions.poll(5, TimeUnit.SECONDS));
            Path v2 = CoapReleases.write(dir.resolve("v2.pipit"), "tiny", 2, 16, 8, 256, key).file();
            assertTrue(server.publish(v2));
            assertEquals(2L, versions.poll(5, TimeUnit.SECONDS));

            assertFalse(server.publish(v2), "the release already served changes nothing");
            BundleException older = assertThrows(BundleException.class, () -> server.publish(dir.resolve("v1.pipit")));
            assertTrue(older.getMessage().contains("rollback refused"), older.getMessage());
            assertEquals(null, versions.poll(300, TimeUnit.MILLISECONDS), "no notification for a refused release");
            assertEquals(ResponseCode.CONTENT, getBlock("/pipit/v1/models/tiny/1/fp32", 2, 0).getCode(),
                    "the previous release stays available for devices part-way through it");
        } finally {
            relation.proactiveCancel();
        }
    }

    @Test
    void index_newModelPublished_listsItsManifest() throws Exception {
        assertEquals("", client("/pipit/v1/models").get().getResponseText());
        server.publish(CoapReleases.write(dir.resolve("a.pipit"), "alpha", 1, 16, 8, 256, key).file());
        server.publish(CoapReleases.write(dir.resolve("b.pipit"), "beta", 3, 16, 8, 256, key).file());
        CoapResponse index = client("/pipit/v1/models").get();
        assertEquals(ContentFormats.LINK_FORMAT, index.getOptions().getContentFormat());
        assertTrue(index.getResponseText().contains("</pipit/v1/models/alpha/manifest>;rt=\"pipit.manifest\""),
                index.getResponseText());
        assertTrue(index.getResponseText().contains("</pipit/v1/models/beta/manifest>"), index.getResponseText());
        String core = client("/.well-known/core").get().getResponseText();
        assertTrue(core.contains("</pipit/v1/models/beta/3/fp32>"), core);
        int size = server.releases().get(1).payloads().get("fp32").length;
        assertTrue(core.matches("(?s).*</pipit/v1/models/beta/3/fp32>;[^,]*sz=\"?" + size + ".*"), core);
    }

    @Test
    void reports_postedByContentFormat_keptPerDeviceAndBadOnesRefused() throws Exception {
        CoapClient reports = client("/pipit/v1/devices/pi-7/reports");
        DeviceStatus status = DeviceStatus.newBuilder().setDeviceId("pi-7").setProfile("rpi-4b").setOnline(true).build();
        assertEquals(ResponseCode.CHANGED, reports.post(status.toByteArray(), ContentFormats.DEVICE_STATUS).getCode());
        MemoryReport memory = MemoryReport.newBuilder().setRssBytes(77 << 20).setEpochMillis(5).build();
        assertEquals(ResponseCode.CHANGED, reports.post(memory.toByteArray(), ContentFormats.MEMORY_REPORT).getCode());

        DeviceReports.Latest latest = server.reports().latest("pi-7").orElseThrow();
        assertEquals("rpi-4b", latest.status().getProfile());
        assertEquals(77L << 20, latest.memory().getRssBytes());

        assertEquals(ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                reports.post(status.toByteArray(), ContentFormats.OCTET_STREAM).getCode());
        assertEquals(ResponseCode.BAD_REQUEST, reports.post(new byte[] {(byte) 0xff, 1, 2}, ContentFormats.DEVICE_STATUS)
                .getCode());
        assertEquals(ResponseCode.BAD_REQUEST, client("/pipit/v1/devices/pi-8/reports")
                .post(status.toByteArray(), ContentFormats.DEVICE_STATUS).getCode(), "pi-7's status posted for pi-8");
        CoapResponse tooLarge = reports.post(new byte[20_000], ContentFormats.DEVICE_STATUS);
        assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, tooLarge.getCode());
        assertNotNull(tooLarge.getOptions().getSize1());
        assertEquals(16 << 10, tooLarge.getOptions().getSize1());
        assertEquals(1, server.reports().all().size());
    }

    @Test
    void options_blockSizeNotAPowerOfTwo_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoapModelServer.Options.defaults().withMaxBlockSize(1000));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CoapModelServer.Options.defaults().withMaxAge(Duration.ZERO));
    }
}
