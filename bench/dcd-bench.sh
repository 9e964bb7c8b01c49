#!/usr/bin/env bash
# The DCD benchmark of issue 13: the loss with teacher-mined selection, forward and backward, at the official COCO
# sizes (B 512, pool 1 + 15 candidates, K 7, embeddings of D 256) in the official and the per-sample mode; the
# selection and gather alone; the teacher cross-encoder's and the dual-encoder student's scoring throughput (pairs/s,
# batches of 256 pairs) at the sizes of examples/pipelines/dcd-retrieval.yaml. Java (CPU backend,
# plugins/dcd/src/test/java/.../DcdBenchmark.java) beside an independent PyTorch implementation written from the spec
# (bench/dcd_torch.py), back to back. Not part of the test suite.
#
#   bench/dcd-bench.sh [REPEATS]
#
# Needs /usr/bin/python3 with torch. Builds into target-bench folders. Both sides use OMP_NUM_THREADS (default 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
repeats="${1:-20}"
out=target-bench
./mvnw -q -o -Dtessera.out=$out -pl plugins/dcd -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="plugins/dcd/$out/test-classes:plugins/dcd/$out/classes:$(cat plugins/dcd/cp.txt)"
for d in . $(git ls-files '*pom.xml' | xargs -n1 dirname); do rm -f "$d/cp.txt"; done   # every reactor module writes one
echo "OMP_WAIT_POLICY=$OMP_WAIT_POLICY OMP_NUM_THREADS=$OMP_NUM_THREADS;"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(getconf _NPROCESSORS_ONLN) cores;" \
     "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java_out=$(java ${JAVA_OPTS:--Xmx2g} -cp "$cp" io.tessera.plugin.dcd.DcdBenchmark "$repeats" 2>/dev/null \
    | grep -E '^[a-z_0-9]+ [0-9.]+ ')
torch_out=$(/usr/bin/python3 bench/dcd_torch.py "$repeats")
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg); torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__, torch.get_num_threads(), "threads")')"
printf '%-30s %14s %14s %8s\n' "measure" "tessera" "pytorch" "ratio"
while read -r name value unit; do
    tv=$(echo "$torch_out" | awk -v k="$name" '$1==k {print $2}')
    if [[ -n "$tv" ]]; then
        if [[ $unit == ms ]]; then ratio=$(awk -v a="$value" -v b="$tv" 'BEGIN{printf "%.2fx", a/b}')
        else ratio=$(awk -v a="$value" -v b="$tv" 'BEGIN{printf "%.2fx", b/a}'); fi
    else tv="-"; ratio="-"; fi
    printf '%-30s %14s %14s %8s\n' "$name ($unit)" "$value" "$tv" "$ratio"
done <<< "$java_out"
echo "ratio: time of tessera / time of pytorch (above 1 = tessera slower)"
