package io.tessera.api.plugin;

import org.apiguardian.api.API;

/**
 * Observes services of one type appearing and disappearing in a {@link ServiceRegistry}. Called synchronously by the
 * thread that changed the registry; must return quickly and must not block on the host. A plugin's listener (added
 * through its {@code PluginContext}) runs on a thread of its own while that thread waits at most the host's callback
 * timeout: one that overruns is abandoned, reported on the plugin and never called again.
 *
 * @param <T> the service type
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface ServiceListener<T> {

    /** A service was added (a plugin started, or something registered it). */
    void added(ServiceReference<T> reference);

    /** A service was removed (its plugin stopped, or its registration was closed). */
    default void removed(ServiceReference<T> reference) {
    }
}
