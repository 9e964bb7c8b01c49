#!/usr/bin/env bash
# Runs the GPU backend's GPU tests and benchmarks on a machine with an NVIDIA GPU, without Maven and without network.
#
# Build the kit first, on a machine with Maven (no GPU needed):
#   ./mvnw -B -o -pl gpu-backend,plugins/fdconv -am package -DskipTests
# which leaves in gpu-backend/target/ the backend jar, its test classes as a jar and device-lib/ (its dependencies
# without ND4J; about 19 MB), and in plugins/fdconv/target/test-classes the FDConv golden test and its cases (1.3 MB).
# Carry the repository with gpu-backend/target and plugins/fdconv/target/test-classes (at most 64 MiB besides the
# system's CUDA libraries) to the GPU machine and run, from the repository root:
#   gpu-backend/device-check.sh [--tests-only|--bench-only]
# Needs there: java 17+, the NVIDIA driver (libcuda.so.1) and CUDA 13 libcudart, libcublas/libcublasLt, libnvrtc
# (+ libnvrtc-builtins) and cuDNN 9 (libcudnn*.so.9), on LD_LIBRARY_PATH, in /usr/local/cuda*/lib64 or the linker
# cache; TESSERA_GPU_LIBS=DIR1:DIR2 adds folders (pip's nvidia-*-cu13 wheels unpack them under nvidia/*/lib).
# Optional: a python3 with torch (CUDA) for the PyTorch column (bench/gpu_torch.py).
set -u
cd "$(dirname "$0")/.."
MODE=${1:-all}
TARGET=gpu-backend/target
if [[ ! -d $TARGET/device-lib || ! -f $TARGET/tessera-backend-gpu-1.0.0.jar || ! -f $TARGET/tessera-backend-gpu-1.0.0-tests.jar ]]; then
    echo "device-check: the kit is missing: build it with ./mvnw -B -o -pl gpu-backend -am package -DskipTests" >&2
    exit 2
fi
JAVA=${JAVA:-java}
command -v "$JAVA" >/dev/null || { echo "device-check: no java on PATH (set JAVA=/path/to/java)" >&2; exit 2; }
CP="$TARGET/tessera-backend-gpu-1.0.0.jar:$TARGET/tessera-backend-gpu-1.0.0-tests.jar:$(ls $TARGET/device-lib/*.jar | tr '\n' ':')"
FDCONV_TESTS=plugins/fdconv/target/test-classes
TESTS=()
if [[ -f $FDCONV_TESTS/io/tessera/plugin/fdconv/FDConv2dGoldenTest.class ]]; then
    CP="$CP:$FDCONV_TESTS"
    TESTS=(io.tessera.backend.gpu.GpuBackendProviderTest io.tessera.backend.gpu.DeviceAllocatorTest
           io.tessera.backend.gpu.KernelSourcesCompileTest io.tessera.backend.gpu.GpuConformanceTest
           io.tessera.backend.gpu.GpuCoreOnlyConformanceTest io.tessera.backend.gpu.GpuCnnTrainingTest
           io.tessera.plugin.fdconv.FDConv2dGoldenTest)
else
    echo "device-check: no $FDCONV_TESTS (build the kit with plugins/fdconv too): the FDConv goldens will not run"
fi

echo "== machine"
date -u +%Y-%m-%dT%H:%MZ
uname -srm
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>/dev/null \
    || echo "nvidia-smi: not found or failed"
"$JAVA" -version 2>&1 | head -1

echo "== system libraries"
DIRS="${TESSERA_GPU_LIBS:-}:${LD_LIBRARY_PATH:-}:/usr/local/cuda/lib64:/usr/lib/x86_64-linux-gnu:/usr/lib64:/usr/local/nvidia/lib64"
for d in /usr/local/cuda-*/lib64; do DIRS="$DIRS:$d"; done
missing=0
for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 libnvrtc-builtins.so.13.0 libcudnn.so.9; do
    found=""
    IFS=: read -ra parts <<< "$DIRS"
    for d in "${parts[@]}"; do
        [[ -n $d && -e $d/$lib ]] && { found=$d/$lib; break; }
    done
    [[ -z $found ]] && found=$(/sbin/ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l { print $NF; exit }')
    if [[ -n $found ]]; then echo "found   $lib  $found"; else echo "MISSING $lib"; missing=$((missing + 1)); fi
done
[[ $missing -gt 0 ]] && echo "($missing missing: the backend will report itself unavailable and the GPU tests skip)"
export LD_LIBRARY_PATH="${TESSERA_GPU_LIBS:-}${TESSERA_GPU_LIBS:+:}${LD_LIBRARY_PATH:-}"
JOPTS=(-Xmx8g -Dtessera.gpu.libraryPath="${TESSERA_GPU_LIBS:-}")

status=0
if [[ $MODE != --bench-only ]]; then
    echo "== GPU tests (conformance suite: op goldens + gradients, semantics cases, fuzz corpus; core-only run; CNN; FDConv goldens)"
    "$JAVA" "${JOPTS[@]}" -Dtessera.test.backend=gpu -cp "$CP" io.tessera.backend.gpu.DeviceCheck "${TESTS[@]}" \
        || status=1
fi
if [[ $MODE != --tests-only ]]; then
    echo "== benchmarks (float32, FMA math; -Dtessera.gpu.tf32=true for TF32)"
    "$JAVA" "${JOPTS[@]}" -cp "$CP" io.tessera.backend.gpu.GpuBenchmark || status=1
    PY=${PYTHON:-python3}
    if "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
        echo "== PyTorch CUDA, same benchmarks"
        "$PY" bench/gpu_torch.py || status=1
    else
        echo "== PyTorch CUDA: not available here ($PY has no torch with CUDA); no comparison column"
    fi
fi
exit $status
