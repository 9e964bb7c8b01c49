#!/usr/bin/env bash
# Live differential fuzzing of the tensor API against PyTorch (docs/tensor-api.md, "Differential fuzzing"):
# generates a fresh corpus from SEED with Debian's python3-torch, replays it on the CPU backend through the
# conformance kit, and prints how many programs matched.
#
#   testkit/fuzz/fuzz.sh [SEED] [COUNT]          (defaults: a seed from the clock, 300 programs)
#
# Extra Maven flags (e.g. -o) go in MAVEN_FLAGS. To replay a corpus file on another backend, run that backend's
# BackendConformanceSuite subclass with -Dtessera.fuzz.corpus=FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-$(date +%s)}
count=${2:-300}
out=${TMPDIR:-/tmp}/tessera-fuzz-$seed.json
/usr/bin/python3 testkit/fuzz/tensor_fuzz.py --seed "$seed" --count "$count" --out "$out"
report=cpu-backend/target/surefire-reports/TEST-io.tessera.backend.cpu.CpuBackendConformanceTest.xml
rm -f "$report"
# shellcheck disable=SC2086
./mvnw -B -q ${MAVEN_FLAGS:-} -pl cpu-backend -am test -Dtest='CpuBackendConformanceTest#matchesFuzzCorpus*' \
    -Dsurefire.failIfNoSpecifiedTests=false -Dtessera.fuzz.corpus="$out" > "${out%.json}.log" 2>&1 || true
if [[ ! -f "$report" ]]; then
    echo "the replay did not run; see ${out%.json}.log" >&2
    exit 2
fi
total=$(grep -c '<testcase name="matchesFuzzCorpus' "$report" || true)
failed=$(grep -c '<failure\|<error' "$report" || true)
echo "seed $seed: $((total - failed)) of $total programs match PyTorch (corpus $out, log ${out%.json}.log)"
grep -o 'message="seed [^"]*' "$report" | cut -c10- | head -20 || true
[[ "$failed" -eq 0 ]]
