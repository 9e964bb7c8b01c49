/**
 * Tessera's JMH benchmarks (docs/benchmarks.md): the Tensor API on the CPU backend against the same ops on raw ND4J,
 * the reference CNN's training step, FDConv2d against Conv2d and a per-kernel profile of the training step. Built only
 * in the root pom's {@code bench} profile and run from the class path by {@code bench/tensor-bench.sh}; the module
 * exports nothing and is open, so that JMH's generated harness reaches the benchmark states by reflection. ND4J's
 * module descriptors are broken, so raw ND4J stays on the class path and this module reads the unnamed module ({@code
 * --add-reads io.tessera.bench=ALL-UNNAMED} at compile time); the CPU backend's kernel package, which the raw-kernel
 * benchmarks call, is exported to it at compile time only ({@code --add-exports}).
 */
open module io.tessera.bench {
    requires io.tessera.api;
    requires io.tessera.backend.cpu;
    requires io.tessera.plugin.fdconv;
    requires jmh.core;
    requires java.management;
}
