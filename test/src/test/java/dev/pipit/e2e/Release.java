package dev.pipit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.cli.Pipit;
import dev.pipit.protocol.bundle.BundleFile;
import dev.pipit.protocol.bundle.BundleLimits;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * A real release, made once per test JVM with the toolkit's own commands: the PyTorch MLP export in
 * {@code shared/models} compressed into fp32 and int8 on the real Fashion-MNIST files, and signed.
 */
record Release(Path dir, Path bundle, Path publicKey, KeyPair signingKey, Manifest manifest) {

    static final String MODEL_ID = "fmnist-mlp";
    private static Release instance;

    static synchronized Release get() throws Exception {
        if (instance == null) {
            Path dir = Files.createTempDirectory("pipit-e2e-release");
            Path onnx = Path.of(System.getProperty("pipit.models", "../compress/src/test/resources/models"))
                    .resolve("mlp_fp32.onnx");
            Path bundle = dir.resolve("bundle.pipit");
            assertEquals(0, Pipit.commandLine().execute("keys", "generate", "--out", dir.toString()));
            assertEquals(0, Pipit.commandLine().execute("compress", "--onnx", onnx.toString(),
                    "--calib", "fashion-mnist", "--key", dir.resolve("signing.key").toString(),
                    "--out", bundle.toString(), "--model-id", MODEL_ID, "--version", "1", "--variants", "fp32,int8"));
            instance = new Release(dir, bundle, dir.resolve("signing.pub"),
                    KeyFiles.readSigningKey(dir.resolve("signing.key")),
                    BundleFile.open(bundle, BundleLimits.defaults()).manifest());
        }
        return instance;
    }
}
