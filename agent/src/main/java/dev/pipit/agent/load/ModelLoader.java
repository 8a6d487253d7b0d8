package dev.pipit.agent.load;

import dev.pipit.agent.select.SizeFormat;
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
 * check that weights plus arena as loaded fit the memory budget, match the manifest's tensor sizes, pass
 * the golden check. Any failure is a {@link BundleException} whose message the device reports; nothing
 * is activated here.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * @param budgetBytes the most the loaded variant may hold (weights plus arena); a variant over it at
     *     {@code options.maxBatch()} is loaded again for batch 1, and refused if it is still over
     */
    public static LoadedModel load(Manifest manifest, Variant variant, Path graphFile, String selectionReason,
                                   RuntimeOptions options, long budgetBytes, long nowEpochMillis)
            throws BundleException, IOException {
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
        Interpreter interpreter = interpreter(graph, options, id);
        if (footprint(interpreter) > budgetBytes && options.maxBatch() > 1) {
            interpreter.close(); // the arena did not grow linearly with the batch: plan it for one sample
            options = new RuntimeOptions(1, options.threads());
            interpreter = interpreter(graph, options, id);
        }
        if (footprint(interpreter) > budgetBytes) {
            long w = interpreter.weightBytes();
            long a = interpreter.arenaBytes();
            interpreter.close();
            throw new BundleException("variant " + id + " needs " + SizeFormat.bytes(w + a) + " as loaded (weights "
                    + SizeFormat.bytes(w) + ", arena " + SizeFormat.bytes(a) + " at batch 1), more than the "
                    + SizeFormat.bytes(budgetBytes) + " budget");
        }
        LoadedModel model = new LoadedModel(manifest.getModelId(), manifest.getVersion(), variant, selectionReason,
                nowEpochMillis, interpreter, options.maxBatch(), options.threads());
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

    private static Interpreter interpreter(Graph graph, RuntimeOptions options, String id) throws BundleException {
        try {
            return Interpreter.load(graph, options);
        } catch (RuntimeException | OutOfMemoryError e) {
            // an arena too large for this JVM fails as one allocation, nothing else half done: a refusal like the rest
            // InvalidGraphException names the fault; anything else the runtime throws is still a refusal
            throw new BundleException("variant " + id + " cannot run here: " + e.getMessage());
        }
    }

    private static long footprint(Interpreter i) {
        return i.weightBytes() + i.arenaBytes();
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
