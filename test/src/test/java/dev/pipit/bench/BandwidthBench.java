package dev.pipit.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Memory read bandwidth: the sum of a 64 MiB array (far beyond the caches), the bound of a streaming GEMV. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BandwidthBench {

    static final int BYTES = 64 << 20;
    private long[] data;

    @Setup
    public void setUp() {
        data = new long[BYTES / 8];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
    }

    @Benchmark
    public long sum() {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < data.length; i += 4) {
            s0 += data[i];
            s1 += data[i + 1];
            s2 += data[i + 2];
            s3 += data[i + 3];
        }
        return s0 + s1 + s2 + s3;
    }
}
