package dev.pipit.e2e;

import dev.pipit.fleet.broker.EmbeddedBroker;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The loop against the embedded HiveMQ CE broker that the demo uses. */
class RolloutOverEmbeddedBrokerTest extends RolloutScenario {

    private static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedBroker("127.0.0.1", 0, Files.createTempDirectory("pipit-e2e-hivemq"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Override
    String brokerUrl() {
        return broker.url();
    }
}
