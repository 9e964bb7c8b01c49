#!/usr/bin/env bash
# The real training check of issue 4: the reference CNN (conv 1->32, conv 32->64, linear 3136->128->10, Adam 1e-3,
# batch 128) on the full Fashion-MNIST, printing test accuracy per epoch, ms per step, images/s and the resident set
# size at steps 100 and 1000. Not part of the default test suite.
#
#   bench/fashion-cnn.sh [DATA_DIR] [EPOCHS] [BATCH] [SEED] [MAX_STEPS_PER_EPOCH]
#
# DATA_DIR defaults to ../shared/data/fashion-mnist (relative to the repository root). Extra JVM options can be given
# in JAVA_OPTS (default -Xms32m -Xmx512m -XX:MaxNewSize=32m -XX:+UseSerialGC). Builds into training/target-bench
# (and the modules it needs into their target-bench).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=target-bench
./mvnw -q -Dtessera.out=$out -pl training -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="training/$out/test-classes:training/$out/classes:$(cat training/cp.txt)"
# every module the build went through wrote one (the parent pom and the build's Maven plugin too)
find . -maxdepth 3 -name cp.txt -not -path './.git/*' -delete
data="${1:-../shared/data/fashion-mnist}"
shift || true
# The heap holds the dataset as bytes (55 MB) and little else: a small initial heap, a 32 MiB young generation and
# the serial collector (no G1 side tables) keep the JVM from touching hundreds of MB of eden it does not need; ND4J's OpenMP threads allocate natively, and glibc's
# default of 8 arenas per core keeps what they free resident, so two arenas (docs/benchmarks.md, "Memory").
# MALLOC_ARENA_MAX=default leaves glibc's own limit.
if [ "${MALLOC_ARENA_MAX:-}" = default ]; then
    unset MALLOC_ARENA_MAX
else
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
fi
exec java ${JAVA_OPTS:--Xms32m -Xmx512m -XX:MaxNewSize=32m -XX:+UseSerialGC} -cp "$cp" io.tessera.training.FashionCnnBenchmark "$data" "$@"
