package dev.pipit.fleet.mqtt;

import dev.pipit.protocol.trust.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --broker}, {@code --username}, {@code --password-file} and {@code --tls-*} options of fleet commands. */
public final class BrokerOptions {

    @Option(names = "--broker", paramLabel = "URL", required = true,
            description = "MQTT broker, e.g. tcp://127.0.0.1:1883.")
    String url;

    @Option(names = "--username", paramLabel = "NAME", description = "MQTT user name (default: anonymous).")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the MQTT password (kept off the command line).")
    Path passwordFile;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificate(s) the broker's certificate must chain "
            + "to (with an ssl:// URL).")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "The fleet's client certificate (mutual TLS).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Its private key, unencrypted PKCS#8.")
    Path tlsKey;

    public BrokerEndpoint endpoint() throws IOException {
        String password = null;
        if (passwordFile != null) {
            try {
                password = Files.readAllLines(passwordFile).stream().findFirst().orElse("");
            } catch (IOException e) {
                throw new IOException("cannot read password file " + passwordFile + ": " + e.getMessage(), e);
            }
        }
        boolean tls = tlsCa != null || tlsCert != null || tlsKey != null;
        return new BrokerEndpoint(url, username, password, tls ? new TlsSettings(tlsCa, tlsCert, tlsKey) : null);
    }
}
