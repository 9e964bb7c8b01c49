package io.tessera.testkit;

import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorBackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.apiguardian.api.API;

/**
 * Tensor backends for tests, found through {@link ServiceLoader} as an application finds them. Add the backend as a
 * test dependency ({@code io.tessera:tessera-backend-cpu}, scope test), then
 * {@code try (TensorBackend backend = TestBackends.defaultBackend()) { … }}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class TestBackends {

    private TestBackends() {
    }

    /** The available backend of highest priority (the CPU backend where only it is present), created anew. */
    public static TensorBackend defaultBackend() {
        List<TensorBackendProvider> providers = providers();
        List<String> unavailable = new ArrayList<>();
        return providers.stream().sorted(Comparator.comparingInt(TensorBackendProvider::priority).reversed())
                .filter(p -> {
                    if (p.isAvailable()) {
                        return true;
                    }
                    unavailable.add(p.name() + " (" + p.availability().reason() + ")");
                    return false;
                })
                .findFirst().map(TensorBackendProvider::create)
                .orElseThrow(() -> noBackend("no available tensor backend", unavailable));
    }

    /** The backend called {@code name} ({@code cpu}), created anew. */
    public static TensorBackend named(String name) {
        List<String> found = new ArrayList<>();
        for (TensorBackendProvider p : providers()) {
            found.add(p.name());
            if (p.name().equals(name)) {
                if (!p.isAvailable()) {
                    throw new IllegalStateException("tensor backend '" + name + "' is unavailable here: "
                            + p.availability().reason());
                }
                return p.create();
            }
        }
        throw noBackend("no tensor backend '" + name + "'", found);
    }

    private static List<TensorBackendProvider> providers() {
        List<TensorBackendProvider> list = new ArrayList<>();
        ServiceLoader.load(TensorBackendProvider.class).forEach(list::add);
        if (list.isEmpty()) {
            ServiceLoader.load(TensorBackendProvider.class, TestBackends.class.getClassLoader()).forEach(list::add);
        }
        return list;
    }

    private static IllegalStateException noBackend(String what, List<String> found) {
        return new IllegalStateException(what + " on the test class path (found " + (found.isEmpty() ? "none"
                : String.join(", ", found)) + "); add the test dependency io.tessera:tessera-backend-cpu");
    }
}
