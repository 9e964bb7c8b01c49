/**
 * JMH benchmarks (docs/benchmarks.md): the Tensor API on the CPU backend against raw ND4J
 * ({@link io.tessera.bench.TensorOpsBenchmark}, {@link io.tessera.bench.TinyOpBenchmark}), the reference CNN's
 * training step ({@link io.tessera.bench.CnnBenchmark}), FDConv2d against Conv2d
 * ({@link io.tessera.bench.FdConvBenchmark}), and a per-kernel profile of the training step
 * ({@link io.tessera.bench.StepProfile}). Built only in the root pom's {@code bench} profile; run with
 * {@code bench/tensor-bench.sh}.
 */
package io.tessera.bench;
