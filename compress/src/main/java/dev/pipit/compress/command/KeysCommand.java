package dev.pipit.compress.command;

import dev.pipit.protocol.bundle.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipit keys}: signing key management. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage bundle signing keys.",
        subcommands = KeysCommand.Generate.class)
public final class KeysCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new IllegalArgumentException("keys needs a subcommand: generate");
    }

    /** {@code pipit keys generate --out DIR}: a new Ed25519 key pair. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate an Ed25519 key pair: DIR/signing.key (private, keep it secret) and DIR/signing.pub.")
    public static final class Generate implements Callable<Integer> {

        @Option(names = "--out", required = true, description = "Directory to write signing.key and signing.pub into.")
        Path dir;

        @Option(names = "--force", description = "Replace an existing key pair.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Path key = dir.resolve("signing.key");
            Path pub = dir.resolve("signing.pub");
            if (!force && (Files.exists(key) || Files.exists(pub))) {
                throw new IllegalArgumentException(key + " or " + pub + " already exists; pass --force to replace it");
            }
            Files.createDirectories(dir);
            KeyPair pair = KeyFiles.generate();
            KeyFiles.writeSigningKey(key, pair);
            KeyFiles.writePublic(pub, pair.getPublic());
            System.out.println("wrote " + key + " and " + pub + " (key id " + KeyFiles.keyId(pair.getPublic()) + ")");
            return 0;
        }
    }
}
