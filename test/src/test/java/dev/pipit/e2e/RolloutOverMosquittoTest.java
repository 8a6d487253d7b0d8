package dev.pipit.e2e;

import dev.pipit.protocol.testing.MosquittoBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The loop against a real Mosquitto (Debian's package), started on a free port and stopped after. */
class RolloutOverMosquittoTest extends RolloutScenario {

    private static MosquittoBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = MosquittoBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Override
    String brokerUrl() {
        return broker.url();
    }
}
