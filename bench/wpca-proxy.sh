#!/usr/bin/env bash
# W-PCA proxy throughput (issue 15's benchmark): candidates scored per second at initialisation on one batch of 32
# Fashion-MNIST-sized sequences (build the candidate, forward, PC counts of every FFN pre-activation), Java on the CPU
# backend beside an independent PyTorch implementation (bench/wpca_proxy_torch.py), run back to back on the same
# candidate list. Prints a table with the machine and its load. Not part of the test suite.
#
#   bench/wpca-proxy.sh [N] [WARMUP] [BATCH]          (defaults 100 20 32)
#
# Builds into plugins/wpca/target-bench (and the modules it needs into their target-bench).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
n="${1:-100}"; warmup="${2:-20}"; batch="${3:-32}"
out=target-bench
./mvnw -q -o -Dtessera.out=$out -pl plugins/wpca -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="plugins/wpca/$out/test-classes:plugins/wpca/$out/classes:$(cat plugins/wpca/cp.txt)"
rm -f cp.txt plugins/wpca/cp.txt framework-api/cp.txt testkit/cp.txt cpu-backend/cp.txt
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
j=$(java ${JAVA_OPTS:--Xmx1g} -cp "$cp" io.tessera.plugin.wpca.WpcaProxyBenchmark "$list" "$n" "$warmup" "$batch" \
    2>/dev/null | grep '^java,')
echo "load between: $(cut -d' ' -f1-3 /proc/loadavg)"
t=$(/usr/bin/python3 bench/wpca_proxy_torch.py "$list" "$n" "$warmup" "$batch" 2 | grep '^torch,')
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %6s %6s %10s %14s %14s %16s %12s\n' impl N batch seconds candidates/s ms/candidate cpu-ms/candidate \
    checksum
for line in "$j" "$t"; do
    IFS=, read -r impl cn cb cs cps ms cpu sum <<<"$line"
    printf '%-8s %6s %6s %10s %14s %14s %16s %12s\n' "$impl" "$cn" "$cb" "$cs" "$cps" "$ms" "$cpu" "$sum"
done
jm=$(cut -d, -f6 <<<"$j"); tm=$(cut -d, -f6 <<<"$t"); jc=$(cut -d, -f7 <<<"$j"); tc=$(cut -d, -f7 <<<"$t")
echo "java / torch per candidate: wall $(python3 -c "print(round($jm / $tm, 2))"), cpu $(python3 -c "print(round($jc / $tc, 2))")"
