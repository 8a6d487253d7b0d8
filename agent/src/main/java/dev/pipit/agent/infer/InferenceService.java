package dev.pipit.agent.infer;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.pipit.agent.load.LoadedModel;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import java.util.function.Supplier;

/**
 * Answers one InferenceRequest with the model active at that moment. Every refusal is an
 * InferenceResponse with {@code error} set; nothing a client sends makes it throw.
 */
public final class InferenceService {

    private final Supplier<LoadedModel> active;
    private final int maxRequestBatch;

    /**
     * @param active the model serving now, or null
     * @param maxRequestBatch the most samples one request may carry (bounds the memory a request costs)
     */
    public InferenceService(Supplier<LoadedModel> active, int maxRequestBatch) {
        if (maxRequestBatch < 1) {
            throw new IllegalArgumentException("maxRequestBatch must be positive, was " + maxRequestBatch);
        }
        this.active = active;
        this.maxRequestBatch = maxRequestBatch;
    }

    public InferenceResponse answer(byte[] requestBytes) {
        try {
            return answer(requestBytes, active.get());
        } catch (LoadedModel.ReplacedException e) {
            return answer(requestBytes, active.get()); // the model was swapped between get() and run(): once more
        }
    }

    private InferenceResponse answer(byte[] requestBytes, LoadedModel model) {
        if (model == null) {
            return error(null, "no model active");
        }
        InferenceRequest request;
        try {
            request = InferenceRequest.parseFrom(requestBytes);
        } catch (InvalidProtocolBufferException e) {
            return error(model, "request is not an InferenceRequest: " + e.getMessage());
        }
        int batch = request.getBatch();
        if (batch < 1 || batch > maxRequestBatch) {
            return error(model, "batch must be 1 to " + maxRequestBatch + ", was " + Integer.toUnsignedString(batch));
        }
        long expected = (long) batch * model.inputSize();
        if (request.getValuesCount() != expected) {
            return error(model, "batch " + batch + " of " + model.inputSize() + " inputs needs " + expected
                    + " values, got " + request.getValuesCount());
        }
        float[] input = new float[(int) expected];
        for (int i = 0; i < input.length; i++) {
            input[i] = request.getValues(i);
        }
        long start = System.nanoTime();
        float[] output;
        try {
            output = model.run(input, batch);
        } catch (LoadedModel.ReplacedException e) {
            throw e;
        } catch (RuntimeException e) {
            return error(model, "inference failed: " + e.getMessage());
        }
        long micros = (System.nanoTime() - start) / 1000;
        InferenceResponse.Builder r = describe(model).setMicros(micros);
        int n = model.outputSize();
        for (float v : output) {
            r.addValues(v);
        }
        for (int s = 0; s < batch; s++) {
            r.addArgmax(LoadedModel.argmax(output, s * n, n));
        }
        return r.build();
    }

    /** A refusal without a model at hand, e.g. when the agent is too busy to queue the request. */
    public static InferenceResponse refusal(String reason) {
        return error(null, reason);
    }

    private static InferenceResponse error(LoadedModel model, String reason) {
        return (model == null ? InferenceResponse.newBuilder() : describe(model)).setError(reason).build();
    }

    private static InferenceResponse.Builder describe(LoadedModel model) {
        return InferenceResponse.newBuilder()
                .setModelId(model.modelId())
                .setVersion(model.version())
                .setVariant(model.variant().getId());
    }
}
