package dev.pipit.fleet.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.bundle.KeyFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, independent CoAP peer: libcoap's {@code coap-client} (Debian libcoap3-bin) fetches a variant from the
 * Pipit server block-wise, over plain CoAP and over DTLS with a pre-shared key (its OpenSSL build), and the bytes
 * it writes must hash to the SHA-256 the signed manifest binds.
 */
class LibcoapClientTest {

    private static final Path PLAIN_CLIENT = Path.of("/usr/bin/coap-client-notls");
    private static final Path DTLS_CLIENT = Path.of("/usr/bin/coap-client-openssl");

    @TempDir
    Path dir;

    @Test
    void coapClient_plainBlockwiseGet_fetchesTheVariantTheManifestBinds() throws Exception {
        CoapReleases.Written w = CoapReleases.write(dir.resolve("b.pipit"), "tiny", 1, 96, 64, 4096, KeyFiles.generate());
        try (CoapModelServer server = CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0),
                new ServerSecurity.Plain(), CoapModelServer.Options.defaults())) {
            server.publish(w.file());
            Path out = dir.resolve("plain.bin");
            run(PLAIN_CLIENT, "-m", "get", "-b", "1024", "-o", out.toString(),
                    server.uri() + "/pipit/v1/models/tiny/1/fp32");
            assertTrue(w.payload().length > 20 * 1024, "a transfer of many blocks");
            assertArrayEquals(w.variant().getSha256().toByteArray(), Chunks.sha256(Files.readAllBytes(out)));
        }
    }

    @Test
    void coapClient_dtlsPsk_fetchesTheVariantAndAWrongKeyGetsNothing() throws Exception {
        CoapReleases.Written w = CoapReleases.write(dir.resolve("b.pipit"), "tiny", 2, 64, 32, 1024, KeyFiles.generate());
        String secret = "correct horse battery staple";
        ServerSecurity psk = new ServerSecurity.Psk(Map.of("pi-psk", secret.getBytes(StandardCharsets.UTF_8)));
        try (CoapModelServer server = CoapModelServer.start(new InetSocketAddress("127.0.0.1", 0), psk,
                CoapModelServer.Options.defaults())) {
            server.publish(w.file());
            String uri = server.uri() + "/pipit/v1/models/tiny/2/fp32";
            assertTrue(uri.startsWith("coaps://"), uri);
            Path out = dir.resolve("psk.bin");
            run(DTLS_CLIENT, "-m", "get", "-b", "512", "-u", "pi-psk", "-k", secret, "-o", out.toString(), uri);
            assertArrayEquals(w.variant().getSha256().toByteArray(), Chunks.sha256(Files.readAllBytes(out)));

            Path refused = dir.resolve("refused.bin");
            run(DTLS_CLIENT, "-m", "get", "-B", "2", "-u", "pi-psk", "-k", "not the key", "-o", refused.toString(), uri);
            assertTrue(!Files.exists(refused) || Files.size(refused) == 0, "a wrong key must get no payload");
        }
    }

    @Test
    void pskFile_base64AndHexSecrets_readAsCaliforniumWritesThem() throws Exception {
        Path file = dir.resolve("psk.txt");
        Files.writeString(file, "# devices\npi-1=" + Base64.getEncoder().encodeToString("s3cret".getBytes(StandardCharsets.UTF_8))
                + "\npi-2=:0x736573616d65\n");
        ServerSecurity.Psk psk = ServerSecurity.pskFile(file);
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), psk.keys().get("pi-1"));
        assertArrayEquals("sesame".getBytes(StandardCharsets.UTF_8), psk.keys().get("pi-2"));
        Files.writeString(file, "pi-1 s3cret\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSecurity.pskFile(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    /** Runs a libcoap client and waits for it; its own exit status is not asserted (it exits 0 on most failures). */
    private static void run(Path binary, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(binary), binary + " is missing: apt-get install libcoap3-bin");
        List<String> cmd = new ArrayList<>(List.of(binary.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
    }
}
