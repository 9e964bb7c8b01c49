#!/usr/bin/env bash
# Hot-deploy soak (issue 23, "Measure"): reloads a plugin and a dependent of it N times through TesseraHost.refresh(),
# v1 and v2 alternating, and prints a Markdown table every 50 reloads: live replaced class loaders, descriptors open
# into the plugin folder, threads, heap after GC, and reload latency percentiles so far. The same test runs 50
# reloads in the default suite and asserts that loaders, descriptors and threads stay flat.
#
#   bench/hot-deploy-soak.sh [N]        default N = 1000
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reloads="${1:-1000}"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
    "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
cd "$root"
./mvnw -B -q -pl host -am test -Dtest=HotDeploySoakTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtessera.soak.reloads="$reloads" -Dtessera.soak.print=true -DtrimStackTrace=false 2>&1 \
    | grep -E '^\|' || { echo "the soak failed; see host/target/surefire-reports" >&2; exit 1; }
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
