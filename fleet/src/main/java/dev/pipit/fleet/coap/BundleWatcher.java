package dev.pipit.fleet.coap;

import dev.pipit.protocol.bundle.BundleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves bundle files and serves them again whenever one is replaced (its modification time or size
 * changes): an operator publishes a new release by moving a new bundle over the old file, and every device
 * observing that model's manifest is notified. A bundle that fails to load is reported and the release
 * served before stays.
 */
final class BundleWatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BundleWatcher.class.getName());

    private final CoapModelServer server;
    private final Map<Path, String> seen = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pipit-coap-bundles");
        t.setDaemon(true);
        return t;
    });

    /** Serves every file once now (a failure is thrown), then checks them every {@code periodMillis}. */
    BundleWatcher(CoapModelServer server, List<Path> files, long periodMillis) throws IOException, BundleException {
        this.server = server;
        for (Path f : files) {
            seen.put(f, stamp(f));
            server.publish(f);
        }
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void check() {
        for (Map.Entry<Path, String> e : seen.entrySet()) {
            try {
                String now = stamp(e.getKey());
                if (!now.equals(e.getValue())) {
                    e.setValue(now);
                    server.publish(e.getKey());
                }
            } catch (IOException | BundleException | RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "{0} not served: {1}", e.getKey(), ex.getMessage());
            }
        }
    }

    private static String stamp(Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
