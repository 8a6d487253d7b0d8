package dev.pipit.fleet.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipit.fleet.publish.BundlePublisher;
import dev.pipit.fleet.testing.TestBundles;
import dev.pipit.fleet.testing.TestBundles.TestBundle;
import dev.pipit.protocol.testing.MosquittoBroker;
import dev.pipit.protocol.testing.TestPki;
import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --tls-ca/--tls-cert/--tls-key} against a real Mosquitto with mutual TLS and the shipped ACL. */
class BrokerOptionsTlsTest {

    private static final Path SHIPPED_ACL = Path.of("../deploy/mosquitto/pipit.acl").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static MosquittoBroker broker;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "fleet");
        broker = MosquittoBroker.startMutualTls(pki, SHIPPED_ACL);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    private static BrokerEndpoint endpoint(TlsSettings as) throws IOException {
        return CommandLine.populateCommand(new BrokerOptions(), "--broker", broker.url(), "--tls-ca", as.caFile().toString(),
                "--tls-cert", as.certFile().toString(), "--tls-key", as.keyFile().toString()).endpoint();
    }

    @Test
    void publish_fleetCertificate_publishesOverMutualTls() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("a.pipit"), "tls-model", 1);
        BundlePublisher.Result r = new BundlePublisher(endpoint(pki.client("pipit-fleet")), 8,
                new PrintWriter(new StringWriter())).publish(bundle.file());
        assertEquals(bundle.chunkCount(), r.chunks());
    }

    @Test
    void publish_deviceCertificate_notAuthorizedForModels() throws Exception {
        TestBundle bundle = TestBundles.write(dir.resolve("b.pipit"), "tls-model-b", 1);
        BundlePublisher asDevice = new BundlePublisher(endpoint(pki.client("dev-a")), 8, new PrintWriter(new StringWriter()));
        IOException e = assertThrows(IOException.class, () -> asDevice.publish(bundle.file()));
        assertTrue(e.getMessage().contains("not authorized"), e.getMessage());
    }

    @Test
    void endpoint_certificateWithoutKey_refusedWithTheReason() {
        TlsSettings fleet = pki.anonymous();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandLine.populateCommand(
                new BrokerOptions(), "--broker", broker.url(), "--tls-ca", fleet.caFile().toString(), "--tls-cert",
                dir.resolve("pki/fleet-broker.pem").toString()).endpoint());
        assertTrue(e.getMessage().contains("needs its private key"), e.getMessage());
    }
}
