package dev.pipit.agent.load;

import dev.pipit.protocol.bundle.BundleException;
import dev.pipit.protocol.bundle.Chunks;
import dev.pipit.protocol.graph.GraphCodec;
import dev.pipit.protocol.graph.MalformedGraphException;
import dev.pipit.protocol.v1.Manifest;
import dev.pipit.protocol.v1.TensorSpec;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import dev.pipit.runtime.graph.Graph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Turns a stored variant payload into a {@link LoadedModel}: hash, decode, load into the interpreter,
 * match the manifest's tensor sizes, pass the golden check. Any failure is a {@link BundleException}
 * whose message the device reports; nothing is activated here.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    public static LoadedModel load(Manifest manifest, Variant variant, Path graphFile, String selectionReason,
                                   RuntimeOptions options, long nowEpochMillis) throws BundleException, IOException {
        String id = variant.getId();
        long size = Files.size(graphFile);
        if (size != variant.getPayloadBytes()) {
            throw new BundleException("variant " + id + " on disk has " + size + " bytes, its manifest declares "
                    + variant.getPayloadBytes());
        }
        byte[] payload = Files.readAllBytes(graphFile);
        if (!MessageDigest.isEqual(Chunks.sha256(payload), variant.getSha256().toByteArray())) {
            throw new BundleException("variant " + id + " payload fails its SHA-256");
        }
        Graph graph;
        try {
            graph = GraphCodec.decode(payload);
        } catch (MalformedGraphException e) {
            throw new BundleException("variant " + id + " does not decode: " + e.getMessage());
        }
        Interpreter interpreter;
        try {
            interpreter = Interpreter.load(graph, options);
        } catch (RuntimeException e) {
            // InvalidGraphException names the fault; anything else the runtime throws is still a refusal
            throw new BundleException("variant " + id + " cannot run here: " + e.getMessage());
        }
        LoadedModel model = new LoadedModel(manifest.getModelId(), manifest.getVersion(), variant, selectionReason,
                nowEpochMillis, interpreter, options.maxBatch());
        try {
            checkSize("input", manifest.getInput(), interpreter.inputSize(), id);
            checkSize("output", manifest.getOutput(), interpreter.outputSize(), id);
            GoldenCheck.check(model, manifest.getGolden(), variant);
            return model;
        } catch (BundleException e) {
            model.close();
            throw e;
        } catch (RuntimeException e) {
            model.close();
            throw new BundleException("variant " + id + " fails while running its golden inputs: " + e.getMessage());
        }
    }

    /**
     * Elements of one sample of a spec (its batch dimension -1 left out); 0 when the spec gives no shape,
     * -1 when the shape is nonsense (so it matches nothing).
     */
    static long elements(TensorSpec spec) {
        long n = spec.getShapeCount() == 0 ? 0 : 1;
        try {
            for (int d : spec.getShapeList()) {
                if (d < -1 || d == 0) {
                    return -1;
                }
                n = d == -1 ? n : Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return n;
    }

    private static void checkSize(String what, TensorSpec spec, int actual, String variantId) throws BundleException {
        long declared = elements(spec);
        if (declared != 0 && declared != actual) {
            throw new BundleException("variant " + variantId + " takes " + actual + " " + what
                    + " values per sample, the manifest declares " + declared + " (" + spec.getShapeList() + ")");
        }
    }
}
