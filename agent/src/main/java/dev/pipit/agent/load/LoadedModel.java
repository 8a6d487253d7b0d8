package dev.pipit.agent.load;

import dev.pipit.protocol.v1.ActiveModel;
import dev.pipit.protocol.v1.Variant;
import dev.pipit.runtime.Interpreter;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A variant that passed every check and may serve: its interpreter, guarded by a lock because an
 * interpreter reuses one arena, and what the device reports about it. Closed when it is replaced.
 */
public final class LoadedModel implements AutoCloseable {

    private final String modelId;
    private final long version;
    private final Variant variant;
    private final String selectionReason;
    private final long activatedEpochMillis;
    private final Interpreter interpreter;
    private final int maxBatch;
    private final int threads;
    private final int inputSize;
    private final int outputSize;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    LoadedModel(String modelId, long version, Variant variant, String selectionReason, long activatedEpochMillis,
                Interpreter interpreter, int maxBatch, int threads) {
        this.modelId = modelId;
        this.version = version;
        this.variant = variant;
        this.selectionReason = selectionReason;
        this.activatedEpochMillis = activatedEpochMillis;
        this.interpreter = interpreter;
        this.maxBatch = maxBatch;
        this.threads = threads;
        this.inputSize = interpreter.inputSize();
        this.outputSize = interpreter.outputSize();
    }

    /**
     * Runs {@code batch} samples ({@code batch * inputSize()} floats), in slices of the interpreter's
     * maximum batch; one caller at a time.
     *
     * @throws ReplacedException if the model was closed (replaced) meanwhile: ask for the active one again
     */
    public float[] run(float[] input, int batch) {
        if (batch < 1 || input.length != (long) batch * inputSize) {
            throw new IllegalArgumentException("expected " + batch + " x " + inputSize + " input values, got "
                    + input.length);
        }
        float[] output = new float[batch * outputSize];
        lock.lock();
        try {
            if (closed) {
                throw new ReplacedException(this);
            }
            if (batch <= maxBatch) {
                interpreter.run(input, batch, output);
                return output;
            }
            for (int start = 0; start < batch; start += maxBatch) {
                int n = Math.min(maxBatch, batch - start);
                float[] in = Arrays.copyOfRange(input, start * inputSize, (start + n) * inputSize);
                float[] out = new float[n * outputSize];
                interpreter.run(in, n, out);
                System.arraycopy(out, 0, output, start * outputSize, out.length);
            }
            return output;
        } finally {
            lock.unlock();
        }
    }

    /** Releases the interpreter (and its threads) once no caller is running it. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                interpreter.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Thrown by {@link #run} on a model that was replaced and closed after a caller picked it up. */
    public static final class ReplacedException extends IllegalStateException {

        ReplacedException(LoadedModel model) {
            super(model + " was replaced");
        }
    }

    /** Index of the largest of {@code length} values from {@code from}; the first on ties, NaN never wins. */
    public static int argmax(float[] values, int from, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (values[from + i] > values[from + best] || Float.isNaN(values[from + best])) {
                best = i;
            }
        }
        return best;
    }

    public String modelId() {
        return modelId;
    }

    public Variant variant() {
        return variant;
    }

    public String selectionReason() {
        return selectionReason;
    }

    /** The largest batch the interpreter runs at once (its arena is planned for it). */
    public int maxBatch() {
        return maxBatch;
    }

    /** Intra-op threads of the interpreter. */
    public int threads() {
        return threads;
    }

    public long version() {
        return version;
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    /** Bytes of weights as the interpreter holds them. */
    public long weightBytes() {
        return interpreter.weightBytes();
    }

    /** Bytes of the interpreter's planned arena. */
    public long arenaBytes() {
        return interpreter.arenaBytes();
    }

    /** How DeviceStatus describes this model. */
    public ActiveModel describe() {
        return ActiveModel.newBuilder()
                .setModelId(modelId)
                .setVersion(version)
                .setVariant(variant.getId())
                .setSelectionReason(selectionReason)
                .setActivatedEpochMillis(activatedEpochMillis)
                .build();
    }

    @Override
    public String toString() {
        return modelId + " v" + version + " " + variant.getId();
    }
}
