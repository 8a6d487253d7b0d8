package dev.pipit.fleet.broker;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit broker}: an embedded MQTT 5 broker in the foreground, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run an embedded MQTT 5 broker (HiveMQ CE) until Ctrl-C; prints its URL.")
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "1883",
            description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 to serve other machines (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep retained messages and sessions here across restarts (default: in memory).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker(bind, port, dataDir, dataDir != null);
        long t0 = System.nanoTime();
        broker.start();
        spec.commandLine().getErr().printf("broker: started in %d ms; Ctrl-C stops it%n",
                (System.nanoTime() - t0) / 1_000_000);
        spec.commandLine().getOut().println(broker.url());
        spec.commandLine().getOut().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spec.commandLine().getErr().println("broker: stopping");
            broker.close();
        }, "pipit-broker-shutdown"));
        Thread.currentThread().join(); // until Ctrl-C: the JVM exits once the hook has run
        return 0;
    }
}
