package io.tessera.backend.cpu;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.spi.TensorKernels;
import io.tessera.testkit.conformance.BackendConformanceSuite;

/**
 * The CPU backend with every override switched off: only its 17 primitive-core kernels run, every other kernel is the
 * SPI's default composition. Proves the defaults against every golden case on a fast core (the reference backend in
 * the test kit proves them on a plain-Java core); {@code -Dtessera.cpu.defaultsOnly=true} makes the provider do the
 * same for whole programs.
 */
class CpuDefaultsOnlyConformanceTest extends BackendConformanceSuite {
    @Override
    protected TensorBackend createBackend() {
        return TensorBackend.of(TensorKernels.coreOnly(new CpuBackend("cpu")));
    }
}
