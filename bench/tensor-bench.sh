#!/usr/bin/env bash
# JMH benchmarks of issue 3 and 4 (docs/benchmarks.md): the Tensor API against raw ND4J (sgemm 2048², conv2d N=8
# 64->64 56x56 3x3 forward and forward+backward, layer norm, softmax, rfft2/irfft2, a 4-element add), the reference
# CNN training step (plain and with FDConv as conv2) and FDConv2d against Conv2d (B=8, 64->64, 32x32).
#
#   bench/tensor-bench.sh [JMH_REGEX ...] [-- extra JMH options]
#   bench/tensor-bench.sh --profile [STEPS] [fdconv|fdconv-layer]  per-kernel times of the CNN training step, plain or with FDConv
#                                                as conv2, or of FDConv2d fwd+bwd alone (io.tessera.bench.StepProfile)
#   bench/tensor-bench.sh --kernels              a table of raw kernel times: conv2d per algorithm, depthwise, FFT,
#                                                norms, max-pool (io.tessera.bench.KernelTimings)
#
# Defaults: all benchmarks, one fork, 3 warm-up and 5 measured iterations of 1 s each (-f 1 -wi 3 -i 5 -w 1s -r 1s;
# JMH_DEFAULTS replaces these).
# Builds bench/jmh (only in the 'bench' profile of the root pom) into target-jmh; the result table is printed at
# the end and written to bench/jmh/target-jmh/jmh-result.txt. ND4J_CLASSIFIER=linux-x86_64 (or -avx2, ...) builds
# and runs against other nd4j-native natives, into target-jmh-<classifier>. JMH_RF / JMH_RFF change JMH's result
# format and file (bench/compare-torch.sh reads csv). ND4J's OpenMP threads wait passively
# (OMP_WAIT_POLICY=PASSIVE; busy-waiting threads made ND4J ops about 5x slower on this shared 2-core machine).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=target-jmh
classifier_opt=()
if [ -n "${ND4J_CLASSIFIER:-}" ]; then
    out="target-jmh-$ND4J_CLASSIFIER"
    classifier_opt=("-Dnd4j.classifier=$ND4J_CLASSIFIER")
fi
offline=-o
[ -d "$HOME/.m2/repository/org/openjdk/jmh/jmh-core" ] || offline=""
./mvnw $offline -q -Dtessera.out=$out "${classifier_opt[@]}" -Pbench -pl bench/jmh -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=jmh-cp.txt >/dev/null
cp="bench/jmh/$out/classes:$(cat bench/jmh/jmh-cp.txt)"
echo "$cp" >"bench/jmh/$out/classpath.txt"  # for running io.tessera.bench classes by hand
find . -maxdepth 3 -name jmh-cp.txt -not -path "./.git/*" -delete

export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
if [ "${1:-}" = "--profile" ]; then
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg); OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"
    java -Xmx3g -cp "$cp" io.tessera.bench.StepProfile "${2:-100}" profile "${3:-plain}"
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi

if [ "${1:-}" = "--kernels" ]; then
    echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(getconf _NPROCESSORS_ONLN) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u +%F)"
    java -Xmx3g -cp "$cp" io.tessera.bench.KernelTimings
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi

regex=()
extra=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
    regex+=("$1"); shift
done
result="bench/jmh/$out/jmh-result.txt"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(getconf _NPROCESSORS_ONLN) cores; load: $(cut -d' ' -f1-3 /proc/loadavg);" \
    "OMP_NUM_THREADS=${OMP_NUM_THREADS:-default} OMP_WAIT_POLICY=$OMP_WAIT_POLICY;" \
    "natives: $(tr ':' '\n' <<<"$cp" | sed -n 's/.*nd4j-native-[0-9.A-Z-]*-\(linux-[a-z0-9_-]*\)\.jar$/\1/p' | paste -sd,)"
# shellcheck disable=SC2086 # JMH_DEFAULTS is a list of options on purpose
java -cp "$cp" org.openjdk.jmh.Main ${JMH_DEFAULTS:--f 1 -wi 3 -i 5 -w 1s -r 1s} -jvmArgs "-Xmx3g" -rf "${JMH_RF:-text}" -rff "${JMH_RFF:-$result}" \
    "${extra[@]}" "${regex[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
