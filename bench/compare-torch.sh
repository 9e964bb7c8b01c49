#!/usr/bin/env bash
# Tessera against PyTorch 1.13 (CPU) on the same machine, back to back, in ONE table of ratios (issue 19,
# docs/benchmarks.md "Tessera vs PyTorch (one run)"):
#
#   bench/compare-torch.sh [THREADS]
#
# Runs the JMH cases of bench/jmh (through bench/tensor-bench.sh, which builds them) and then bench/compare_torch.py
# (the same shapes in PyTorch, with Debian's python3-torch under /usr/bin/python3), and prints one row per case:
#
#   conv2d fwd / fwd+bwd      N=8 64->64 56x56 3x3: Tessera / PyTorch (oneDNN)
#   CNN train step            reference CNN, batch 128, Adam: Tessera / PyTorch
#   FDConv2d fwd+bwd          B=8 64->64 32x32 kn=64: Tessera's FDConv2d / Tessera's plain Conv2d of the same shape
#                             (goal <= 3x; PyTorch's plain conv of that shape is shown beside it)
#   CNN step, FDConv conv2    kn=4: Tessera's CNN-FDConv step / Tessera's plain CNN step (goal <= 4x)
#
# THREADS (default 1) is the thread count of both sides: OMP_NUM_THREADS for ND4J's OpenMP/OpenBLAS and
# torch.set_num_threads for PyTorch. One thread is the default because the machine is shared: with the load above
# the core count, two threads per side measure the scheduler more than the code (docs/benchmarks.md). Both sides
# run with OPENBLAS_CORETYPE=Haswell (PyTorch's OpenBLAS misdetects this CPU otherwise) and
# OMP_WAIT_POLICY=PASSIVE. JMH_DEFAULTS (default "-f 1 -wi 3 -i 5 -w 1s -r 1s") sets JMH's iterations;
# TORCH_TIMES (default "3 5") the PyTorch warm-up and measured seconds per case. With one thread a second table
# compares CPU times (io.tessera.bench.StepProfile for the Tessera side, process time for PyTorch), which stay
# comparable under load. Takes about 5 minutes at low load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${1:-1}"
export OMP_NUM_THREADS="$threads"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export JMH_DEFAULTS="${JMH_DEFAULTS:--f 1 -wi 3 -i 5 -w 1s -r 1s}"
torch_times="${TORCH_TIMES:-3 5}"
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "compare-torch.sh: $py cannot import torch; install Debian's python3-torch (and libopenblas0-pthread)" >&2
    exit 1
fi
out="$root/bench/jmh/target-jmh"
mkdir -p "$out"
csv="$out/compare-torch.csv"
torch_out="$out/compare-torch-torch.txt"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

JMH_RF=csv JMH_RFF="$csv" bench/tensor-bench.sh \
    'TensorOpsBenchmark.conv2dForward_tessera$' 'TensorOpsBenchmark.conv2dForwardBackward_tessera$' \
    'CnnBenchmark.trainStep$' 'FdConvBenchmark.forwardBackward$' -- -p layer=conv,fdconv64 -p variant=plain,fdconv
# The same cases timed by CPU time (single thread: the CPU time of the Java threads per step, median of the second
# half of the steps; io.tessera.bench.StepProfile without its per-kernel proxy), which a busy machine inflates far less
# than wall time
cpu_out="$out/compare-torch-cpu.txt"
: >"$cpu_out"
for mode in plain:30 fdconv:8 conv-layer:30 fdconv-layer:12; do
    printf '%s\t' "${mode%%:*}" >>"$cpu_out"
    java -Xmx3g -cp "$(cat "$out/classpath.txt")" io.tessera.bench.StepProfile "${mode##*:}" cpu "${mode%%:*}" \
        | sed -n 's/^cpu-median-ms\t//p' >>"$cpu_out"
done
load_mid="$(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086 # two numbers on purpose
"$py" bench/compare_torch.py "$threads" $torch_times | tee "$torch_out"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$csv" "$torch_out" "$cpu_out" "$threads" <<'EOF'
import csv, sys
jmh = {}
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        name = row["Benchmark"].rsplit(".", 2)[-2:]
        key = ".".join(name)
        for p in ("Param: layer", "Param: variant"):
            if row.get(p):
                key += ":" + row[p]
        jmh[key] = (float(row["Score"]), float(row["Score Error (99.9%)"] or "nan"))
torch = {}
with open(sys.argv[2]) as f:
    for line in f:
        if not line.startswith("#"):
            k, wall, cpu = line.split("\t")
            torch[k] = float(wall)
            torch[k + ":cpu"] = float(cpu)
cpu = {}
with open(sys.argv[3]) as f:
    for line in f:
        k, v = line.split("\t")
        cpu[k] = float(v)
def t(key):
    if key not in jmh:
        sys.exit(f"compare-torch.sh: JMH gave no result for {key} (have {sorted(jmh)})")
    return jmh[key]
def ms(v):
    return f"{v[0]:.2f} ± {v[1]:.2f} ms" if isinstance(v, tuple) else f"{v:.2f} ms"
rows = [
    ("conv2d N=8 64→64 56² 3×3 fwd", "Tessera / PyTorch", t("TensorOpsBenchmark.conv2dForward_tessera"),
     torch["conv2d_fwd"], "≤ 1.00x"),
    ("conv2d same, fwd+bwd", "Tessera / PyTorch", t("TensorOpsBenchmark.conv2dForwardBackward_tessera"),
     torch["conv2d_fwdbwd"], "≤ 1.00x"),
    ("reference CNN train step, batch 128", "Tessera / PyTorch", t("CnnBenchmark.trainStep:plain"),
     torch["cnn_step"], "≤ 0.90x"),
    ("FDConv2d B=8 64→64 32² kn=64 fwd+bwd", "FDConv / plain conv (Tessera)",
     t("FdConvBenchmark.forwardBackward:fdconv64"), t("FdConvBenchmark.forwardBackward:conv"), "≤ 3.00x"),
    ("CNN step with FDConv (kn=4) as conv2", "FDConv CNN / plain CNN (Tessera)", t("CnnBenchmark.trainStep:fdconv"),
     t("CnnBenchmark.trainStep:plain"), "≤ 4.00x"),
]
print()
print("| case | ratio of | numerator | denominator | ratio | goal |")
print("|---|---|---|---|---|---|")
for case, of, num, den, goal in rows:
    r = (num[0] if isinstance(num, tuple) else num) / (den[0] if isinstance(den, tuple) else den)
    met = "met" if r <= float(goal[2:-1]) else "not met"
    print(f"| {case} | {of} | {ms(num)} | {ms(den)} | **{r:.2f}x** | {goal}: {met} |")
print(f"\n(PyTorch plain conv 8×64×32² fwd+bwd in the same run: {torch['conv32_fwdbwd']:.2f} ms;"
      f" Tessera's: {ms(t('FdConvBenchmark.forwardBackward:conv'))})")
if sys.argv[4] == "1":
    print("\nCPU time per call, one thread on each side (Tessera: CPU of the Java threads, median over the second half"
          " of the steps; PyTorch: process time per call):\n")
    print("| case | ratio of | numerator | denominator | ratio | goal |")
    print("|---|---|---|---|---|---|")
    for case, of, num, den, goal in [
            ("reference CNN train step, batch 128", "Tessera / PyTorch", cpu["plain"], torch["cnn_step:cpu"],
             "≤ 0.90x"),
            ("FDConv2d B=8 64→64 32² kn=64 fwd+bwd", "FDConv / plain conv (Tessera)", cpu["fdconv-layer"],
             cpu["conv-layer"], "≤ 3.00x"),
            ("plain conv 8×64×32² fwd+bwd", "Tessera / PyTorch", cpu["conv-layer"], torch["conv32_fwdbwd:cpu"],
             "≤ 1.00x"),
            ("CNN step with FDConv (kn=4) as conv2", "FDConv CNN / plain CNN (Tessera)", cpu["fdconv"], cpu["plain"],
             "≤ 4.00x")]:
        r = num / den
        met = "met" if r <= float(goal[2:-1]) else "not met"
        print(f"| {case} | {of} | {num:.2f} ms | {den:.2f} ms | **{r:.2f}x** | {goal}: {met} |")
EOF
echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(getconf _NPROCESSORS_ONLN) cores, $(java -version 2>&1 | head -1);" \
    "threads per side: $threads; OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE; date: $(date -u '+%F %H:%M UTC')"
echo "load (1/5/15 min): before JMH $load_start; before PyTorch $load_mid; after $load_end"
echo "JMH: $JMH_DEFAULTS; PyTorch: $torch_times s warm-up/measured per case"
