package io.tessera.backend.gpu;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.backend.gpu.cuda.GpuKernels;
import io.tessera.testkit.conformance.BackendConformanceSuite;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite on the GPU's primitive core only (every other kernel runs its SPI default on the device), to
 * check the core against compositions it did not write. Skipped without a usable GPU.
 */
class GpuCoreOnlyConformanceTest extends BackendConformanceSuite {
    @BeforeAll
    void requireGpu() {
        GpuDevice.require("the GPU core-only conformance suite");
    }

    @Override
    protected TensorBackend createBackend() {
        return TensorBackend.of(TensorKernels.coreOnly(GpuKernels.open(Integer.getInteger(GpuBackendProvider.DEVICE,
                0))));
    }
}
