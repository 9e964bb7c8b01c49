#!/usr/bin/env bash
# Long runs of the malformed-input fuzz tests (issue 17, docs/security.md, "Malformed input files"): the .npy, safetensors, IDX,
# plugin manifest and pipeline YAML readers, mutated from valid seed files by io.tessera.testkit.InputFuzzer.
# The default suite runs a few hundred cases per reader with seed 17; this runs COUNT cases per seed file with SEED.
#
#   testkit/fuzz/inputs.sh [SEED] [COUNT]        (defaults: a seed from the clock, 5000 cases per seed file)
#
# A failing case is saved under <module>/target/fuzz-failures/ with the mutations that made it (in the test report).
# Extra Maven flags (e.g. -o) go in MAVEN_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-$(date +%s)}
count=${2:-5000}
# shellcheck disable=SC2086
nice -n 10 ./mvnw -B -q ${MAVEN_FLAGS:-} -pl testkit,plugins/datasets,pipelines -am test \
    -Dtest='FileReaderFuzzTest,IdxFuzzTest,ManifestAndPipelineFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtessera.fuzz.seed="$seed" -Dtessera.fuzz.iterations="$count"
echo "seed $seed: every fuzzed input was read or refused with a clear exception"
