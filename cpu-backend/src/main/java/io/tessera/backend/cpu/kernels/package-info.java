/**
 * CPU kernels as pure functions over ND4J arrays (float32, C order, NCHW activations, OIHW weights): forward and the
 * backward kernels that cannot be composed from other ops. Inputs are never modified; results are new arrays.
 *
 * <p>One class per family: {@link io.tessera.backend.cpu.kernels.Conv2dKernels},
 * {@link io.tessera.backend.cpu.kernels.ConvTranspose2dKernels}, {@link io.tessera.backend.cpu.kernels.PoolKernels},
 * {@link io.tessera.backend.cpu.kernels.InterpolateKernels}, {@link io.tessera.backend.cpu.kernels.NormKernels},
 * {@link io.tessera.backend.cpu.kernels.FftKernels} and {@link io.tessera.backend.cpu.kernels.LinalgKernels}. Their
 * semantics are those of PyTorch 1.13 as written down in {@code golden/ops/README.md}, and the tests run every golden
 * case of these ops against them.
 *
 * <p>Measured on the 2-core development machine: the convolution is fastest through ND4J's native ops when the natives
 * carry oneDNN (classifier {@code linux-x86_64-onednn}; oneDNN picks AVX2 or AVX-512 code at run time, so it also runs
 * on CPUs without AVX-512). With the plain natives, ND4J's conv op is several times slower than this package's im2col
 * plus SGEMM path, which {@link io.tessera.backend.cpu.kernels.Conv2dKernels.Algorithm#AUTO} then uses.
 *
 * <p>Speed (docs/benchmarks.md, "CNN training step"): outputs come from {@link io.tessera.backend.cpu.kernels.Buffers},
 * a pool of native buffers that skips ND4J's clearing of every new buffer; first layers (few input channels) use a
 * padded-plane kernel instead of oneDNN, whose layout reorders dominate there; 2x2 max pooling selects without branches;
 * {@link io.tessera.backend.cpu.kernels.Elementwise} holds the Java loops that beat ND4J's transforms and the fused
 * ReLU gradient. Java loops are written so that C2 (JDK 17) vectorises them: no array offsets that differ between the
 * arrays of one loop, no float selects on unpredictable data.
 */
package io.tessera.backend.cpu.kernels;
