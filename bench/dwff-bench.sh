#!/usr/bin/env bash
# DWFF decoder timing, Tessera (CPU backend) against an independent PyTorch implementation written from the method
# spec (bench/dwff/dwff_torch.py), run back to back on this machine (issue 12, "Measure"):
#   1. decoder forward+backward of the total loss at the official widths (Fc 512, mid 256/128, L 4, D 1024, K 16)
#      on a 16x16 patch grid, batch 2 (logits 2x16x256x256), dropout off;
#   2. one training step of the scene pipeline's decoder (Fc 64, 64/32, L 4, D 64, 4x4 grid, batch 16, K 11) with
#      AdamW, dropout on.
# Prints the machine, its load before and after, and one line per implementation and case (median and min ms).
#
#   bench/dwff-bench.sh [WARMUP=2] [ITERS=5] [CASES=official,scene] [TORCH_THREADS=<cores>]
#
# Builds into plugins/dwff/target-bench (and the modules it needs into their target-bench). Needs /usr/bin/python3
# with torch (Debian's python3-torch) for the PyTorch rows; without it only the Tessera rows print.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
warmup="${1:-2}"
iters="${2:-5}"
cases="${3:-official,scene}"
threads="${4:-$(nproc)}"
out=target-bench
./mvnw -q -o -Dtessera.out=$out -pl plugins/dwff -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="plugins/dwff/$out/test-classes:plugins/dwff/$out/classes:$(cat plugins/dwff/cp.txt)"
# every reactor module wrote a cp.txt; none is tracked
git ls-files -o --exclude-standard -- 'cp.txt' '*/cp.txt' | xargs -r rm -f
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores visible," \
     "$(free -g | awk '/Mem:/ {print $2}') GiB RAM; java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java ${JAVA_OPTS:--Xmx4g} -cp "$cp" io.tessera.plugin.dwff.DwffBenchmark "$warmup" "$iters" "$cases"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 bench/dwff/dwff_torch.py --warmup "$warmup" --iters "$iters" --cases "$cases" \
        --threads "$threads"
else
    echo "torch    | (no /usr/bin/python3 with torch: PyTorch rows skipped)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
