package io.tessera.plugin.dwff;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the CPU backend through {@link ServiceLoader}, as an application would. */
final class CpuBackend {
    private CpuBackend() {
    }

    static TensorBackend create() {
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
