package io.tessera.backend.cpu;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.conformance.BackendConformanceSuite;

/** The CPU backend against every bundled PyTorch golden case, forward and backward. */
class CpuBackendConformanceTest extends BackendConformanceSuite {
    @Override
    protected TensorBackend createBackend() {
        return new CpuBackendProvider().create();
    }
}
