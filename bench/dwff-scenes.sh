#!/usr/bin/env bash
# The DWFF scene comparison without the pipeline host (issue 12 item 3; docs/methods/dwff.md): the steps of
# examples/pipelines/dwff-scenes.yaml run by DwffSceneComparison (test sources of plugins/dwff) with the same defaults
# and seeds, printing per-seed lines, the comparison table (mean ± sample std over seeds) and the per-class IoU.
#
#   bench/dwff-scenes.sh [key=value ...]     e.g. epochs=6 train_scenes=640 seeds=1,2,3,4,5
#
# keys and defaults (those of dwff-scenes.yaml): dir=../shared/data/fashion-mnist side=64 scale=1.143 placement=16
# min_items=2 max_items=2 vit_images=6000 vit_epochs=1 vit_batch=32 vit_lr=0.002 dim=64 train_scenes=320 test_scenes=96
# epochs=6 batch=4 lr=0.01 fc=32 seeds=1,2,3; variants=DWFF,SWFF,NWFF-last,NWFF-all runs only those; vit_cache=FILE saves the
# pre-trained ViT there, or loads it when FILE exists. The measured runs in docs/methods/dwff.md give their arguments.
#
# Runs with OMP_NUM_THREADS=1 unless set: on a shared machine ND4J's OpenMP threads otherwise spin against each other
# (5x slower ViT pre-training measured here at load ~25 on 2 cores). Builds into plugins/dwff/target-bench.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=target-bench
./mvnw -q -o -Dtessera.out=$out -pl plugins/dwff -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt >/dev/null
cp="plugins/dwff/$out/test-classes:plugins/dwff/$out/classes:$(cat plugins/dwff/cp.txt)"
git ls-files -o --exclude-standard -- 'cp.txt' '*/cp.txt' | xargs -r rm -f
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores visible," \
     "$(free -g | awk '/Mem:/ {print $2}') GiB RAM; java $(java -version 2>&1 | head -1 | cut -d'"' -f2);" \
     "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" java ${JAVA_OPTS:--Xmx3g} -cp "$cp" io.tessera.plugin.dwff.DwffSceneComparison "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
