package io.tessera.plugin.fdconv;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the CPU backend through {@link ServiceLoader}, as an application would. */
final class TestBackends {
    private TestBackends() {
    }

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
