package io.tessera.backend.gpu;

import io.tessera.api.tensor.Availability;
import org.junit.jupiter.api.Assumptions;

/** For the tests that need a GPU: skips them, with the provider's reason printed, when no device is usable. */
final class GpuDevice {
    private GpuDevice() {
    }

    static GpuBackendProvider require(String what) {
        GpuBackendProvider p = new GpuBackendProvider();
        Availability a = p.availability();
        if (!a.available()) {
            System.out.println("[gpu] skipped " + what + ": " + a.reason());
        }
        Assumptions.assumeTrue(a.available(), () -> "no usable GPU: " + a.reason());
        return p;
    }
}
