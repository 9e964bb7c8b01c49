package io.tessera.testkit.reference;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.testkit.conformance.BackendConformanceSuite;

/**
 * The reference backend (primitive core only, every other kernel by its default composition) against every op golden
 * case, or the folder given by {@code -Dtessera.golden.ops=DIR}: {@code ./mvnw -pl testkit -am test}.
 */
class ReferenceBackendConformanceTest extends BackendConformanceSuite {
    @Override
    protected TensorBackend createBackend() {
        return ReferenceKernels.backend();
    }
}
