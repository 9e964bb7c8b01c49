package io.tessera.backend.gpu;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.TestBackends;
import io.tessera.testkit.conformance.BackendConformanceSuite;

/**
 * The CPU backend's whole conformance suite with this module on the class path, that is on JavaCPP 1.5.13 (the
 * version the CUDA bindings need) instead of the 1.5.7 ND4J was built with: the measurement behind running both
 * backends in one JVM (docs/gpu.md, "Coexistence").
 */
class CpuBesideGpuConformanceTest extends BackendConformanceSuite {
    @Override
    protected TensorBackend createBackend() {
        return TestBackends.named("cpu");
    }
}
