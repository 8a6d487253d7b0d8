#!/bin/sh
# Pipit against ONNX Runtime (Java, one thread), kernels and the reference models, in one JMH run.
# Usage: test/bench.sh [JMH include regex]   (-Dbench.iterations=N via BENCH_OPTS for longer runs)
# Builds runtime, protocol and compress and installs them locally, then runs dev.pipit.bench.BenchMain.
set -e
cd "$(dirname "$0")/.."
mvn -q -pl runtime,protocol,device-profiles,compress install -DskipTests
mvn -q -pl test test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java --add-modules jdk.incubator.vector $BENCH_OPTS -Dpipit.models="$PWD/compress/src/test/resources/models" \
    -cp "test/target/test-classes:test/target/classes:$(cat test/target/bench.classpath)" dev.pipit.bench.BenchMain "$@"
