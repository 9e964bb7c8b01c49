package io.tessera.backend.gpu;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.conformance.BackendConformanceSuite;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole backend conformance suite (op goldens with gradients, PyTorch semantics cases, the differential fuzz
 * corpus) on the GPU. Skipped, with the reason printed, on a machine without a usable GPU.
 */
class GpuConformanceTest extends BackendConformanceSuite {
    private GpuBackendProvider provider;

    @BeforeAll
    void requireGpu() {
        provider = GpuDevice.require("the GPU conformance suite");
    }

    @Override
    protected TensorBackend createBackend() {
        return provider.create();
    }
}
