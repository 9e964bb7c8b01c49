package io.tessera.training;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The backend these tests compute on, found through {@link ServiceLoader} as an application finds it: the CPU
 * backend for now (a test-scope dependency; the test kit's reference backend may take its place).
 */
final class TestBackends {
    private TestBackends() {
    }

    /** A new CPU backend; the caller closes it. */
    static TensorBackend cpu() {
        List<String> found = new ArrayList<>();
        for (TensorBackendProvider p : ServiceLoader.load(TensorBackendProvider.class)) {
            found.add(p.name());
            if (p.name().equals("cpu")) {
                if (!p.isAvailable()) {
                    throw new IllegalStateException("cpu backend unavailable: " + p.availability().reason());
                }
                return p.create();
            }
        }
        throw new IllegalStateException("no 'cpu' TensorBackendProvider on the class path (found " + found + ")");
    }
}
