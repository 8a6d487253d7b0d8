package dev.pipit.fleet.coap;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipit fleet coap-serve}: serves bundles over CoAP (DTLS) until Ctrl-C. */
@Command(name = "coap-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve bundles to devices over CoAP until Ctrl-C: observable manifests, block-wise variant "
                + "payloads, device reports (protocol/README.md, CoAP). Prints the server's URI.",
                "A bundle file replaced on disk by a newer version is served at once and observers are notified."})
public final class CoapServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bundle", paramLabel = "FILE", required = true,
            description = "A bundle to serve (repeatable: one per model).")
    List<Path> bundles;

    @Option(names = "--port", paramLabel = "N", description = "UDP port; 0 picks a free one (default: 5684 with "
            + "--dtls, 5683 plain).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 to serve other machines (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--dtls", paramLabel = "MODE", description = "DTLS 1.2 device authentication: psk, x509 or rpk.")
    String dtls;

    @Option(names = "--psk-file", paramLabel = "FILE", description = "psk: lines 'device-id=base64-secret' (or "
            + "'device-id=:0xhex').")
    Path pskFile;

    @Option(names = "--key", paramLabel = "FILE", description = "x509/rpk: PEM with the server's private key and its "
            + "certificate chain (x509) or public key (rpk).")
    Path key;

    @Option(names = "--trust", paramLabel = "FILE", description = "x509: PEM CA certificate(s) device certificates "
            + "chain to; a device's certificate CN is its id.")
    Path trust;

    @Option(names = "--device-keys", paramLabel = "DIR", description = "rpk: one PEM public key per device, named "
            + "DEVICE-ID.pub.")
    Path deviceKeys;

    @Option(names = "--allow-plain", description = "Serve plain CoAP without --dtls: no encryption, any device may "
            + "report as any id. Labs only.")
    boolean allowPlain;

    @Option(names = "--block-size", paramLabel = "BYTES", defaultValue = "1024",
            description = "Largest block served: 64 to 1024 (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--max-age", paramLabel = "S", defaultValue = "60",
            description = "Max-Age of manifests: observers re-register after it (default: ${DEFAULT-VALUE}).")
    int maxAge;

    @Option(names = "--reload-millis", paramLabel = "MS", defaultValue = "2000",
            description = "How often bundle files are checked for a replacement (default: ${DEFAULT-VALUE}).")
    long reloadMillis;

    @Override
    public Integer call() throws Exception {
        ServerSecurity security = security();
        int p = port != null ? port : security instanceof ServerSecurity.Plain ? 5683 : 5684;
        CoapModelServer.Options options = CoapModelServer.Options.defaults().withMaxBlockSize(blockSize)
                .withMaxAge(Duration.ofSeconds(maxAge));
        if (reloadMillis < 100) {
            throw new IllegalArgumentException("--reload-millis must be at least 100");
        }
        CoapModelServer server = CoapModelServer.start(new InetSocketAddress(bind, p), security, options);
        BundleWatcher watcher;
        try {
            watcher = new BundleWatcher(server, bundles, reloadMillis);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        PrintWriter err = spec.commandLine().getErr();
        for (Release r : server.releases()) {
            err.printf("coap-serve: %s with %d variants%n", r, r.manifest().getVariantsCount());
        }
        err.printf("coap-serve: %s devices; Ctrl-C stops it%n", security.mode());
        err.flush();
        spec.commandLine().getOut().println(server.uri());
        spec.commandLine().getOut().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.close();
            server.close();
        }, "pipit-coap-shutdown"));
        Thread.currentThread().join(); // until Ctrl-C: the JVM exits once the hook has run
        return 0;
    }

    /** The security the options describe; plain only when asked for. */
    ServerSecurity security() throws java.io.IOException {
        if (dtls == null) {
            if (!allowPlain) {
                throw new IllegalArgumentException("plain CoAP authenticates nobody: pass --dtls psk|x509|rpk, or "
                        + "--allow-plain for a lab");
            }
            return new ServerSecurity.Plain();
        }
        if (allowPlain) {
            throw new IllegalArgumentException("--allow-plain and --dtls exclude each other");
        }
        return switch (dtls) {
            case "psk" -> ServerSecurity.pskFile(need(pskFile, "--psk-file"));
            case "x509" -> ServerSecurity.x509(need(key, "--key"), need(trust, "--trust"));
            case "rpk" -> ServerSecurity.rpk(need(key, "--key"), need(deviceKeys, "--device-keys"));
            default -> throw new IllegalArgumentException("--dtls must be psk, x509 or rpk, was '" + dtls + "'");
        };
    }

    private Path need(Path value, String option) {
        if (value == null) {
            throw new IllegalArgumentException("--dtls " + dtls + " needs " + option);
        }
        return value;
    }
}
