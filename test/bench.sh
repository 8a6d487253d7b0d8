#!/bin/sh
# Pipit against ONNX Runtime (Java, one thread), kernels and the reference models, in one JMH run.
# Usage: test/bench.sh [JMH include regex]   (-Dbench.iterations=N via BENCH_OPTS for longer runs)
# Compiles the test module and the modules it needs in one reactor build, whose classpath then names
# this tree's target/classes directories: nothing is installed into ~/.m2 (other trees share it).
set -e
cd "$(dirname "$0")/.."
mvn -q -pl test -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java --add-modules jdk.incubator.vector $BENCH_OPTS -Dpipit.models="$PWD/compress/src/test/resources/models" \
    -cp "test/target/test-classes:test/target/classes:$(cat test/target/bench.classpath)" dev.pipit.bench.BenchMain "$@"
