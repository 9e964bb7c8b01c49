#!/usr/bin/env bash
# Wall and CPU time of tessera commands (issue 10, "Measure"): each command RUNS times for every distribution given,
# interleaved (so that drift in the machine's load spreads over all cells), after one warm-up round that also writes
# each distribution's class-data-sharing archive. Prints a Markdown table of medians with the load average next to
# each cell (mean of the 1-minute load over that cell's runs).
#
#   bench/plugin-startup/cli.sh [RUNS] DIST...     DIST: an assembled distribution folder (distribution/target/tessera)
#
# Commands: version, --help, plugins --json (boot plugins and the example plugin), validate quickstart.yaml
# (TESSERA_PIPELINE picks another file; it must be valid for every DIST).
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
shift || true
[ $# -gt 0 ] || { echo "usage: $0 [RUNS] DIST..." >&2; exit 2; }
dists=()
for d in "$@"; do dists+=("$(cd "$d" && pwd)"); done
pipeline="${TESSERA_PIPELINE:-$root/examples/pipelines/quickstart.yaml}"   # must be valid for every DIST
commands=("version" "--help" "plugins --json" "validate $pipeline")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A fresh class-data-sharing folder: the launcher archives the classes of the first run that starts plugins, so every
# distribution's archive comes from the same command of the warm-up round (plugins --json), not from whatever ran first.
export TESSERA_CDS_DIR="$work/cds"

for round in $(seq 0 "$runs"); do
    for c in "${!commands[@]}"; do
        for d in "${!dists[@]}"; do
            # shellcheck disable=SC2086 # the command is a word list on purpose
            /usr/bin/time -f '%e %U %S' -o "$work/t" "${dists[$d]}/bin/tessera" ${commands[$c]} >/dev/null 2>&1 || true
            [ "$round" -eq 0 ] || printf '%s %s %s %s\n' "$c" "$d" "$(tail -n 1 "$work/t")" \
                "$(cut -d' ' -f1 /proc/loadavg)" >> "$work/results"
        done
    done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '| command |'
for d in "$@"; do printf ' %s: wall s | CPU s | load |' "$d"; done
printf '\n|---|'
for _ in "${dists[@]}"; do printf -- '---:|---:|---:|'; done
printf '\n'
for c in "${!commands[@]}"; do
    label="${commands[$c]/$root\//}"
    label="${label/#\/*\/examples\//examples/}"
    printf '| `tessera %s` |' "$label"
    for d in "${!dists[@]}"; do
        rows="$(awk -v c="$c" -v d="$d" '$1 == c && $2 == d' "$work/results")"
        wall="$(awk '{print $3}' <<<"$rows" | median)"
        cpu="$(awk '{print $4 + $5}' <<<"$rows" | median)"
        load="$(awk '{s += $6} END {printf "%.1f", s / NR}' <<<"$rows")"
        printf ' %s | %s | %s |' "$wall" "$cpu" "$load"
    done
    printf '\n'
done
echo
echo "Medians of $runs runs after a warm-up round; CPU = user + sys. Machine: $(nproc) CPUs ($(grep -m1 'model name' \
/proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
