#!/usr/bin/env bash
# The D2NWG benchmark of issue 14: VAE and denoiser training steps (ms), DDPM (T=1024) and DDIM (S=50) sampling
# throughput (weight vectors/s, batch of 10, decode included) and zoo throughput (models/min, 200 Adam steps each),
# Java (CPU backend) beside an independent PyTorch implementation (bench/d2nwg_torch.py), back to back, at the sizes
# of examples/pipelines/d2nwg-zoo.yaml (D_in 888, H 128, Z 16, batch 64). Not part of the test suite.
#
#   bench/d2nwg-bench.sh [STEPS] [ZOO_MODELS] [WORKERS]
#
# Needs /usr/bin/python3 with torch (Debian's python3-torch). Builds into target-bench folders.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" # as bin/tessera: spinning OpenMP threads collapse under load
steps="${1:-200}"; models="${2:-8}"; workers="${3:-$(nproc)}"
out=target-bench
./mvnw -q -o -Dtessera.out=$out -pl plugins/d2nwg -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="plugins/d2nwg/$out/test-classes:plugins/d2nwg/$out/classes:$(cat plugins/d2nwg/cp.txt)"
rm -f cp.txt plugins/d2nwg/cp.txt framework-api/cp.txt testkit/cp.txt cpu-backend/cp.txt
echo "OMP_WAIT_POLICY=$OMP_WAIT_POLICY OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset};"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores;" \
     "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java_out=$(java ${JAVA_OPTS:--Xmx2g} -cp "$cp" io.tessera.plugin.d2nwg.D2nwgBenchmark "$steps" "$models" "$workers" \
    2>/dev/null | grep -E '^[a-z_0-9]+ [0-9.]+ ')
torch_out=$(/usr/bin/python3 bench/d2nwg_torch.py "$steps" "$models")
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg); torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__, torch.get_num_threads(), "threads")')"
printf '%-34s %14s %14s %8s\n' "measure" "tessera" "pytorch" "ratio"
while read -r name value unit; do
    key="$name"; [[ $name == zoo_models_per_min_* ]] && key=zoo_models_per_min_sequential
    tv=$(echo "$torch_out" | awk -v k="$key" '$1==k {print $2}')
    if [[ -n "$tv" ]]; then
        if [[ $unit == ms ]]; then ratio=$(awk -v a="$value" -v b="$tv" 'BEGIN{printf "%.2fx", a/b}')
        else ratio=$(awk -v a="$value" -v b="$tv" 'BEGIN{printf "%.2fx", b/a}'); fi
    else tv="-"; ratio="-"; fi
    printf '%-34s %14s %14s %8s\n' "$name ($unit)" "$value" "$tv" "$ratio"
done <<< "$java_out"
echo "ratio: time of tessera / time of pytorch (above 1 = tessera slower); zoo: java uses $workers workers, pytorch runs sequentially"
