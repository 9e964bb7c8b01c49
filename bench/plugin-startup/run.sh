#!/usr/bin/env bash
# Plugin runtime start-up benchmark (issue 2, "Measure"): starts a fresh JVM per measurement with N trivial layer
# plugins and prints the medians as a Markdown table: time from JVM start until all N are ACTIVE, the in-process
# build+start time, and heap per plugin. Compares the Tessera host with the bare JPMS floor (one layer per jar,
# ServiceLoader, start hook; no descriptors, resolution, Guice or registry).
#
#   bench/plugin-startup/run.sh [RUNS] [N...]        defaults: 7 runs, N = 1 10 100
#
# Builds the distribution first (through ./tessera) when it is missing or stale. TESSERA_OUT picks the build folder;
# TESSERA_DIST=<folder> measures an already assembled distribution instead (e.g. a copy with another host jar).
# Runtimes measured: "host", the runtime alone (io.tessera.host and the jars it needs: what an embedder puts on its
# module path); "host-full", the runtime with the whole lib/ module path of the distribution but its plugins and
# backends (pipelines, reports, CLI and their libraries: automatic modules such as XChart are then resolved too); "bare",
# the JPMS floor. TESSERA_BEFORE=<distribution folder> adds "host-before", an older distribution's host on its full
# module path, in the same rounds. TESSERA_BENCH_HEAP=false skips the heap runs (half the JVMs).
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-7}"
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 10 100)
out="${TESSERA_OUT:-target}"
work="$here/$out"
if [ -n "${TESSERA_DIST:-}" ]; then
    dist="$(cd "$TESSERA_DIST" && pwd)"
else
    dist="$root/distribution/$out/tessera"
    TESSERA_OUT="$out" "$root/tessera" version >/dev/null
fi
modules="$dist/lib/modules"

rm -rf "$work/classes"
mkdir -p "$work/classes"
# The API's @API annotations (apiguardian, compile-time only) are absent here; javac's warnings about them go to a log.
if ! javac --release 17 -d "$work/classes" --module-path "$modules" --add-modules io.tessera.host \
        "$here/src/io/tessera/bench/PluginStartupBench.java" 2>"$work/javac.log"; then
    cat "$work/javac.log" >&2
    exit 1
fi

java_cmd=(java -p "$modules" --add-modules io.tessera.host -cp "$work/classes")
for n in 0 "${counts[@]}"; do
    if [ ! -d "$work/plugins-$n" ]; then
        "${java_cmd[@]}" io.tessera.bench.PluginStartupBench generate "$work/plugins-$n.tmp" "$n"
        mv "$work/plugins-$n.tmp" "$work/plugins-$n"
    fi
done

# The host run sees the host and its libraries from lib/modules, but not the boot-layer plugins and backends there
# (an embedding application with only plugin folders); the bare floor sees only the API, as a minimal JPMS
# application would. The jars are listed rather than filtered with --limit-modules: on JDK 17 that option turns off
# class data sharing (CDS) altogether, which made every JDK class load from the run-time image (~1,100 classes).
api_path="$(ls "$modules"/tessera-api-*.jar):$(ls "$modules"/jakarta.inject-api-*.jar)"
full_path="$(ls "$modules"/*.jar | grep -v -e '/tessera-backend-[^/]*$' -e '/tessera-plugin-[^/]*$' | paste -sd: -)"
# The runtime's own jars: the API, jakarta.inject, Guice and what Guice needs (Maven's runtime scope of tessera-host).
runtime_path="$(ls "$modules"/*.jar | grep -v -e '/tessera-backend-[^/]*$' -e '/tessera-plugin-[^/]*$' \
    -e '/tessera-cli-[^/]*$' -e '/tessera-training-[^/]*$' -e '/tessera-pipelines-[^/]*$' \
    -e '/tessera-reports-[^/]*$' -e '/picocli-[^/]*$' -e '/jackson-[^/]*$' -e '/snakeyaml[^/]*$' \
    -e '/jmustache-[^/]*$' -e '/xchart-[^/]*$' | paste -sd: -)"
host_cmd=(java -p "$runtime_path" --add-modules io.tessera.host -cp "$work/classes")
full_cmd=(java -p "$full_path" --add-modules io.tessera.host -cp "$work/classes")
bare_cmd=(java -p "$api_path" --add-modules io.tessera.api -cp "$work/classes")
modes=(host host-full bare)
if [ -n "${TESSERA_BEFORE:-}" ]; then
    before_modules="$(cd "$TESSERA_BEFORE" && pwd)/lib/modules"
    before_path="$(ls "$before_modules"/*.jar | grep -v -e '/tessera-backend-[^/]*$' -e '/tessera-plugin-[^/]*$' \
        | paste -sd: -)"
    before_cmd=(java -p "$before_path" --add-modules io.tessera.host -cp "$work/classes")
    modes+=(host-before)
fi
heaps=(false true)
[ "${TESSERA_BENCH_HEAP:-true}" = true ] || heaps=(false)
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
results="$work/results.tsv"
: > "$results"
# One warm-up round (file cache, CDS archive), then RUNS rounds; each round visits every N and both runtimes, so that
# drift on a shared machine spreads over all cells instead of biasing one.
for round in $(seq 0 "$runs"); do
    for n in 0 "${counts[@]}"; do
        for mode in "${modes[@]}"; do
            for heap in "${heaps[@]}"; do
                case "$mode" in
                    host) cmd=("${host_cmd[@]}") ;;
                    host-full) cmd=("${full_cmd[@]}") ;;
                    host-before) cmd=("${before_cmd[@]}") ;;
                    *) cmd=("${bare_cmd[@]}") ;;
                esac
                line="$("${cmd[@]}" -Dbench.heap="$heap" io.tessera.bench.PluginStartupBench "$mode" "$work/plugins-$n")"
                [ "$round" -eq 0 ] || printf '%s\n' "$line" >> "$results"
            done
        done
    done
    [ "$round" -eq 0 ] || echo "round $round of $runs done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

"${java_cmd[@]}" io.tessera.bench.PluginStartupBench table "$results"
echo
echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')); load average (1, 5, 15 min) at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
