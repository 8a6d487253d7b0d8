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

/** Single int8 layers (with their quantize and dequantize), Pipit against ONNX Runtime's QDQ-fused kernels. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KernelBench {

    @Param({"gemv256x784", "gemv1024x1024", "gemm1024x1024", "conv3x3_32x32", "depthwise3x3_64"})
    public String kernel;

    @Param({"pipit", "ort"})
    public String engine;

    private Engine run;

    @Setup
    public void setUp() throws Exception {
        Graph g = Workloads.int8Layer(kernel);
        int batch = Workloads.batch(kernel);
        int size = Workloads.inputSize(g);
        float[] x = Workloads.randomInput(batch * size);
        long[] shape = kernel.startsWith("gem") ? new long[] {batch, size} : new long[] {batch, size / 784, 28, 28};
        run = engine.equals("pipit") ? Engine.pipit(g, x, batch) : Engine.onnxRuntimeQdq(g, x, shape);
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
