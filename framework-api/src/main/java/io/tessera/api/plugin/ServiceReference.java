package io.tessera.api.plugin;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One service in the registry: an implementation of {@code type} and the plugin that contributed it.
 *
 * @param type     the service (extension point) type it is registered under
 * @param service  the implementation
 * @param pluginId the id of the contributing plugin, or {@code host} for services the host or embedder registered
 * @param <T>      the service type
 */
@API(status = API.Status.STABLE, since = "1.0")
public record ServiceReference<T>(Class<T> type, T service, String pluginId) {

    public ServiceReference {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(pluginId, "pluginId");
    }
}
