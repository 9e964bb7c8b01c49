#!/usr/bin/env bash
# Peak resident memory of training the reference CNN on the full Fashion-MNIST: PyTorch (bench/fashion_cnn_torch.py,
# the same network, optimiser, batch and data) and Tessera (bench/fashion-cnn.sh) one after the other in one run, and
# Tessera once more with the settings of before issue 20 (BEFORE_OPTS), so that the three peaks are measured under
# the same conditions. Prints a table of VmHWM (peak RSS) and VmRSS at step 100 and after the last epoch.
#
#   bench/fashion-cnn-memory.sh [DATA_DIR] [EPOCHS] [MAX_STEPS_PER_EPOCH]
#
# EPOCHS defaults to 1 and MAX_STEPS_PER_EPOCH to 0 (all 469 steps). PYTHON (default /usr/bin/python3, which has
# torch) runs the peer; BEFORE_OPTS (default "-Xmx2g -Dtessera.cpu.bufferPoolMB=256", the old defaults) the old
# settings, with glibc's default arenas (BEFORE_ARENAS=default: 8 per core); BEFORE_OPTS=skip leaves that run out.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="${1:-../shared/data/fashion-mnist}"
epochs="${2:-1}"
steps="${3:-0}"
python="${PYTHON:-/usr/bin/python3}"
before="${BEFORE_OPTS:--Xmx2g -Dtessera.cpu.bufferPoolMB=256}"
before_arenas="${BEFORE_ARENAS:-default}"
logs="$(mktemp -d)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(getconf _NPROCESSORS_ONLN) cores," \
    "$(free -m | awk '/^Mem:/ {print $2}') MiB RAM; date: $(date -u '+%F %H:%M UTC'); epochs $epochs," \
    "steps per epoch ${steps/#0/all}"

field() { # field LOG WHEN NAME -> the kB value of NAME on the memory line of WHEN
    sed -n "s/^memory at $2: .*$3 \([0-9]*\) kB.*/\1/p" "$1" | tail -1
}
row() { # row LABEL LOG LAST_WHEN LOAD_BEFORE
    local hwm rss100 rss_end
    hwm=$(field "$2" "$3" "VmHWM (peak RSS)")
    rss100=$(field "$2" "step 100" "VmRSS")
    rss_end=$(field "$2" "$3" "VmRSS")
    printf '| %s | %s MB | %s MB | %s MB | %s → %s |\n' "$1" "$((hwm / 1000))" "$((${rss100:-0} / 1000))" \
        "$((rss_end / 1000))" "$4" "$(cut -d' ' -f1 /proc/loadavg)"
}

load=$(cut -d' ' -f1 /proc/loadavg)
"$python" bench/fashion_cnn_torch.py "$data" "$epochs" 2 "$steps" > "$logs/torch.log" 2>&1
torch_row=$(row "PyTorch $("$python" -c 'import torch; print(torch.__version__)') (2 threads)" "$logs/torch.log" \
    "end of epoch $epochs" "$load")

load=$(cut -d' ' -f1 /proc/loadavg)
bench/fashion-cnn.sh "$data" "$epochs" 128 0 "$steps" > "$logs/after.log" 2>&1
after_row=$(row "Tessera (bench/fashion-cnn.sh defaults; JAVA_OPTS=${JAVA_OPTS:-unset})" "$logs/after.log" \
    "end of epoch $epochs" "$load")

before_row=""
if [ "$before" != skip ]; then
    load=$(cut -d' ' -f1 /proc/loadavg)
    MALLOC_ARENA_MAX="$before_arenas" JAVA_OPTS="$before" bench/fashion-cnn.sh "$data" "$epochs" 128 0 "$steps" > "$logs/before.log" 2>&1
    before_row=$(row "Tessera, settings before issue 20 ($before, MALLOC_ARENA_MAX=$before_arenas)" "$logs/before.log" \
        "end of epoch $epochs" "$load")
fi

echo
echo "| run | peak RSS (VmHWM) | VmRSS at step 100 | VmRSS at the end | load before → after |"
echo "|---|---|---|---|---|"
echo "$torch_row"
echo "$after_row"
[ -n "$before_row" ] && echo "$before_row"
echo
grep -h "test accuracy" "$logs"/*.log | sed 's/^/  /'
echo "logs: $logs"
