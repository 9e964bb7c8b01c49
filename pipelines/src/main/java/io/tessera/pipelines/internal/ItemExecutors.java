package io.tessera.pipelines.internal;

import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.pipelines.executor.ItemExecutor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** The fan-out executors: {@code local} (the engine's own) and the {@link ItemExecutor} services. */
final class ItemExecutors {
    private static final System.Logger LOG = System.getLogger(ItemExecutors.class.getName());

    private ItemExecutors() {
    }

    /** Name to executor: the module path or {@code META-INF/services}, then the host's registry. */
    static Map<String, ItemExecutor> all(ServiceRegistry services) {
        Map<String, ItemExecutor> out = new LinkedHashMap<>();
        var it = ServiceLoader.load(ItemExecutor.class, ItemExecutor.class.getClassLoader()).iterator();
        // a provider that cannot load is skipped; the iterator goes on to the next (bounded, should it not)
        for (int failures = 0; failures < 100; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ItemExecutor e = it.next();
                out.putIfAbsent(e.name().toLowerCase(Locale.ROOT), e);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                failures++;
                // "not a subtype" or NoClassDefFoundError: a class-path copy of an executor seen from a worker's
                // module layer (docs/architecture.md), where ItemExecutor is another class or none; that executor
                // serves the driver, not this worker
                boolean classPathCopy = e instanceof LinkageError || String.valueOf(e.getMessage())
                        .contains("not a subtype") || e.getCause() instanceof LinkageError;
                LOG.log(classPathCopy ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                        "a fan-out executor could not be loaded: " + e);
            }
        }
        for (ItemExecutor e : services.all(ItemExecutor.class)) {
            try {
                out.putIfAbsent(e.name().toLowerCase(Locale.ROOT), e);
            } catch (RuntimeException | LinkageError ex) {
                LOG.log(System.Logger.Level.WARNING, "a fan-out executor failed to name itself: " + ex);
            }
        }
        out.remove(FanOutChecks.LOCAL);
        return out;
    }
}
