package dev.pipit.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure Debian's {@code dataset-fashion-mnist} is installed: installs it when this process may
 * (root, or sudo without a password), otherwise says in one line which command does. Never substitutes
 * made-up data.
 */
final class DatasetPackage {

    static final String PACKAGE = "dataset-fashion-mnist";
    private static final String[] FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    private DatasetPackage() {
    }

    static boolean present(Path dir) {
        for (String f : FILES) {
            if (!Files.isReadable(dir.resolve(f))) {
                return false;
            }
        }
        return true;
    }

    /** Installs the package if the files are missing; throws with the one-line remedy if it cannot. */
    static void ensure(Path dir) throws IOException, InterruptedException {
        if (present(dir)) {
            return;
        }
        String remedy = "Fashion-MNIST is not in " + dir + ": install it with 'sudo apt-get install " + PACKAGE + "'";
        List<String> prefix = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            if (run(List.of("sudo", "-n", "true")) != 0) {
                throw new IllegalStateException(remedy);
            }
            prefix.add("sudo");
            prefix.add("-n");
        }
        System.err.println("demo: installing " + PACKAGE + " (Debian package with the real Fashion-MNIST files)");
        prefix.addAll(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get"));
        List<String> update = new ArrayList<>(prefix);
        update.addAll(List.of("update", "-qq"));
        List<String> install = new ArrayList<>(prefix);
        install.addAll(List.of("install", "-y", "-qq", PACKAGE));
        if (run(update) != 0 || run(install) != 0 || !present(dir)) {
            throw new IllegalStateException(remedy);
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException e) {
            return 127; // command not found
        }
    }
}
