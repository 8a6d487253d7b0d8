package dev.pipit.agent.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipit.agent.load.LoadedModel;
import dev.pipit.agent.load.ModelLoader;
import dev.pipit.agent.testing.SignedBundle;
import dev.pipit.agent.testing.TinyMlp;
import dev.pipit.protocol.bundle.KeyFiles;
import dev.pipit.protocol.v1.InferenceRequest;
import dev.pipit.protocol.v1.InferenceResponse;
import dev.pipit.runtime.Interpreter;
import dev.pipit.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferenceServiceTest {

    private static final TinyMlp MLP = TinyMlp.random(11, 12, 6, 3);

    @TempDir
    Path dir;

    private final AtomicReference<LoadedModel> active = new AtomicReference<>();
    private final InferenceService service = new InferenceService(active::get, 8);

    @BeforeEach
    void load() throws Exception {
        SignedBundle b = SignedBundle.builder("tiny", 2).variant("fp32", MLP.fp32(), 0.9).golden(MLP.inputs(1, 2), 2)
                .build(KeyFiles.generate());
        Path graph = Files.write(dir.resolve("fp32.graph"), b.payload("fp32"));
        active.set(ModelLoader.load(b.manifest(), b.variant("fp32"), graph, "only one", new RuntimeOptions(4, 1), Long.MAX_VALUE, 0));
    }

    @AfterEach
    void close() {
        active.get().close();
    }

    private static byte[] request(int batch, float[] values) {
        InferenceRequest.Builder r = InferenceRequest.newBuilder().setBatch(batch);
        for (float v : values) {
            r.addValues(v);
        }
        return r.build().toByteArray();
    }

    @Test
    void answer_validBatch_equalsTheInterpreterWithArgmaxAndModel() {
        float[] x = MLP.inputs(5, 6);
        float[] expected = new float[6 * 3];
        try (Interpreter local = Interpreter.load(MLP.fp32(), new RuntimeOptions(6, 1))) {
            local.run(x, 6, expected);
        }

        InferenceResponse r = service.answer(request(6, x));

        assertEquals("", r.getError());
        float[] got = new float[r.getValuesCount()];
        for (int i = 0; i < got.length; i++) {
            got[i] = r.getValues(i);
        }
        assertArrayEquals(expected, got);
        for (int s = 0; s < 6; s++) {
            assertEquals(SignedBundle.argmax(expected, s * 3, 3), r.getArgmax(s));
        }
        assertEquals("tiny", r.getModelId());
        assertEquals(2, r.getVersion());
        assertEquals("fp32", r.getVariant());
    }

    @Test
    void answer_wrongNumberOfValues_explainsTheShape() {
        InferenceResponse r = service.answer(request(2, new float[23]));

        assertEquals("batch 2 of 12 inputs needs 24 values, got 23", r.getError());
        assertEquals(0, r.getValuesCount());
    }

    @Test
    void answer_batchOutOfRange_isRefused() {
        assertEquals("batch must be 1 to 8, was 0", service.answer(request(0, new float[0])).getError());
        assertEquals("batch must be 1 to 8, was 9", service.answer(request(9, new float[9 * 12])).getError());
    }

    @Test
    void answer_notAProtobuf_isRefused() {
        InferenceResponse r = service.answer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

        assertEquals(true, r.getError().startsWith("request is not an InferenceRequest: "), r.getError());
    }

    @Test
    void answer_noModelActive_saysSo() {
        InferenceResponse r = new InferenceService(() -> null, 8).answer(request(1, new float[12]));

        assertEquals("no model active", r.getError());
    }
}
