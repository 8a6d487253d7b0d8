package dev.pipit.fleet.coap;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.v1.DeviceStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Who may do what on the CoAP server: DTLS identities bound to device ids, plain CoAP only when asked for. */
class ServerSecurityTest {

    @TempDir
    Path dir;

    @Test
    void reports_pskPeerPostingForAnotherDevice_forbidden() throws Exception {
        byte[] a = "secret of pi-a".getBytes(StandardCharsets.UTF_8);
        byte[] b = "secret of pi-b".getBytes(StandardCharsets.UTF_8);
        try (CoapModelServer server = CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0),
                new ServerSecurity.Psk(Map.of("pi-a", a, "pi-b", b)), CoapModelServer.Options.defaults())) {
            Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
            c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c).setAddress(new InetSocketAddress(0))
                    .setAdvancedPskStore(new AdvancedSinglePskStore("pi-b", b)).build();
            CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(c).setConnector(new DTLSConnector(dtls))
                    .build();
            endpoint.start();
            try {
                byte[] status = DeviceStatus.newBuilder().setOnline(true).build().toByteArray();
                assertEquals(ResponseCode.FORBIDDEN, post(endpoint, server, "pi-a", status).getCode());
                assertEquals(ResponseCode.CHANGED, post(endpoint, server, "pi-b", status).getCode());
                assertTrue(server.reports().latest("pi-a").isEmpty());
                assertTrue(server.reports().latest("pi-b").isPresent());
            } finally {
                endpoint.destroy();
            }
        }
    }

    private static CoapResponse post(CoapEndpoint endpoint, CoapModelServer server, String device, byte[] body)
            throws Exception {
        CoapClient client = new CoapClient(server.uri() + "/pipit/v1/devices/" + device + "/reports");
        client.setEndpoint(endpoint);
        client.setTimeout(5000L);
        return client.post(body, ContentFormats.DEVICE_STATUS);
    }

    @Test
    void coapServe_neitherDtlsNorAllowPlain_refusesWithTheReason() {
        CoapServeCommand cmd = new CoapServeCommand();
        new CommandLine(cmd).parseArgs("--bundle", dir.resolve("m.pipit").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cmd::security);
        assertTrue(e.getMessage().contains("--allow-plain"), e.getMessage());

        CoapServeCommand psk = new CoapServeCommand();
        new CommandLine(psk).parseArgs("--bundle", "m.pipit", "--dtls", "psk");
        assertTrue(assertThrows(IllegalArgumentException.class, psk::security).getMessage().contains("--psk-file"));

        CoapServeCommand plain = new CoapServeCommand();
        new CommandLine(plain).parseArgs("--bundle", "m.pipit", "--allow-plain");
        assertTrue(assertDoesNotThrow(plain::security) instanceof ServerSecurity.Plain);
    }
}
