package dev.pipit.bench;

import dev.pipit.runtime.graph.Graph;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The reference models on Fashion-MNIST test images: Pipit fp32 and int8 (the toolkit's static
 * quantization) against ONNX Runtime on the PyTorch export (fp32) and on the same int8 model as QDQ.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ModelBench {

    @Param({"mlp", "cnn"})
    public String model;

    @Param({"1", "32"})
    public int batch;

    @Param({"pipit-fp32", "pipit-int8", "ort-fp32", "ort-int8"})
    public String engine;

    private Engine run;

    @Setup
    public void setUp() throws Exception {
        Graph fp32 = Workloads.fp32Model(model);
        float[] x = Workloads.images(batch);
        long[] shape = {batch, 1, 28, 28};
        run = switch (engine) {
            case "pipit-fp32" -> Engine.pipit(fp32, x, batch);
            case "pipit-int8" -> Engine.pipit(Workloads.int8Model(fp32), x, batch);
            case "ort-fp32" -> Engine.onnxRuntime(Workloads.MODELS.resolve(model + "_fp32.onnx"), x, shape);
            case "ort-int8" -> Engine.onnxRuntimeQdq(Workloads.int8Model(fp32), x, shape);
            default -> throw new IllegalArgumentException(engine);
        };
    }

    @Benchmark
    public float infer() throws Exception {
        return run.run();
    }

    @TearDown
    public void tearDown() throws Exception {
        run.close();
    }
}
