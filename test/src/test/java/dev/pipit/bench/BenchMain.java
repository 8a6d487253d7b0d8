package dev.pipit.bench;

import dev.pipit.runtime.graph.Graph;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel, model, bandwidth and ceiling benchmarks in one JMH run (one forked JVM per benchmark,
 * one thread each) and prints Pipit against ONNX Runtime: times, ratios, GMAC/s, the memory bound and the
 * Vector API's compute ceilings.
 * Arguments: JMH's own command line (an include regex, default all four benchmarks; e.g. {@code -p
 * engine=pipit-int8 -f 6 -prof gc -jvmArgsAppend -XX:…}), whose forks and JVM options add to the defaults
 * here; {@code -Dbench.iterations}, {@code -Dbench.warmups}: 1-second iterations per benchmark.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = Integer.getInteger("bench.iterations", 5);
        // Long warm-up: until C2 compiles them, Vector API kernels run interpreted at ~1000× their speed.
        int warmups = Integer.getInteger("bench.warmups", 6);
        CommandLineOptions cli = new CommandLineOptions(args);
        // the launcher's trap budget (./pipit; docs/performance.md, "The JIT's trap budget"); a later -jvmArgsAppend wins
        List<String> jvmArgs = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000",
                "-Dpipit.models=" + Workloads.MODELS.toAbsolutePath()));
        jvmArgs.addAll(cli.getJvmArgsAppend().orElse(List.of()));
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli)
                .forks(cli.getForkCount().orElse(1))
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .threads(1);
        if (cli.getIncludes().isEmpty()) {
            options.include("dev.pipit.bench.(Kernel|Model|Bandwidth|Ceiling)Bench");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Double> us = new HashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String key = p.getBenchmark().replaceAll(".*\\.(\\w+Bench)\\..*", "$1");
            for (String name : new java.util.TreeSet<>(p.getParamsKeys())) { // by name: batch, engine, kernel, model
                key += "/" + p.getParam(name);
            }
            // a ceiling is the best the machine reached: the fastest iteration, which a shared machine's load inflates least
            us.put(key, key.startsWith("CeilingBench") ? r.getBenchmarkResults().stream()
                    .flatMap(b -> b.getIterationResults().stream())
                    .mapToDouble(i -> i.getPrimaryResult().getScore()).min().orElseThrow() : r.getPrimaryResult().getScore());
        }
        report(us);
    }

    private static void report(Map<String, Double> us) throws Exception {
        Double bandwidthUs = us.get("BandwidthBench");
        double gbPerS = bandwidthUs == null ? Double.NaN : BandwidthBench.BYTES / (bandwidthUs * 1e3);
        if (bandwidthUs != null) {
            System.out.printf("%nMemory read bandwidth (sum of 64 MiB, 1 thread): %.1f GB/s%n", gbPerS);
        }
        System.out.printf("%nVector API ceilings, one thread, L1-resident, fastest iteration (%d-bit vectors):%n",
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        for (String scheme : new String[] {"int8-b2s", "int8-split", "int8-presplit", "int8-fp32", "fp32-fma", "fp32-peak"}) {
            Double c = us.get("CeilingBench/" + scheme);
            if (c != null) {
                System.out.printf("  %-12s %8.2f µs per call %8.1f GMAC/s%n", scheme, c, CeilingBench.macs(scheme) / c / 1e3);
            }
        }
        System.out.printf("%n%-18s %10s %10s %9s %10s %10s %14s%n", "int8 kernel", "Pipit µs", "ORT µs", "ORT/Pipit",
                "Pipit GMAC/s", "ORT GMAC/s", "DRAM bound µs");
        for (String k : new String[] {"gemv256x784", "gemv1024x1024", "gemm1024x1024", "conv3x3_32x32", "depthwise3x3_64"}) {
            Double p = us.get("KernelBench/pipit/" + k);
            Double o = us.get("KernelBench/ort/" + k);
            if (p == null || o == null) {
                continue;
            }
            Graph g = Workloads.int8Layer(k);
            double macs = (double) Workloads.macs(g) * Workloads.batch(k);
            double weightBytes = k.startsWith("gem") ? Workloads.macs(g) : Double.NaN;
            double dramBoundUs = weightBytes / (gbPerS * 1e3);
            System.out.printf("%-18s %10.2f %10.2f %9.2f %10.2f %10.2f %14s%n", k, p, o, o / p, macs / p / 1e3, macs / o / 1e3,
                    Double.isNaN(dramBoundUs) ? "–" : String.format(Locale.ROOT, "%.2f", dramBoundUs));
        }
        System.out.printf("%n%-10s %6s %11s %11s %11s %11s %17s %17s%n", "model", "batch", "Pipit fp32", "Pipit int8", "ORT fp32",
                "ORT int8", "int8/ORT best", "Pipit fp32/int8");
        for (String m : new String[] {"mlp", "cnn"}) {
            for (int batch : new int[] {1, 32}) {
                String prefix = "ModelBench/" + batch + "/";
                Double pf = us.get(prefix + "pipit-fp32/" + m);
                Double pi = us.get(prefix + "pipit-int8/" + m);
                Double of = us.get(prefix + "ort-fp32/" + m);
                Double oi = us.get(prefix + "ort-int8/" + m);
                if (pf == null || pi == null || of == null || oi == null) {
                    continue;
                }
                System.out.printf("%-10s %6d %11.2f %11.2f %11.2f %11.2f %17.2f %17.2f   (µs per sample)%n", m, batch,
                        pf / batch, pi / batch, of / batch, oi / batch, pi / Math.min(of, oi), pf / pi);
            }
        }
        System.out.println("\nint8/ORT best < 1 means Pipit int8 is faster than ONNX Runtime's faster variant; targets: "
                + "batch 1 ≤ 0.5, batch 32 ≤ 1.0; Pipit fp32/int8 > 1 means int8 is faster.");
    }
}
