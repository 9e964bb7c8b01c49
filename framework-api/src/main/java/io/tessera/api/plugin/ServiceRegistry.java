package io.tessera.api.plugin;

import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The typed, dynamic registry of services and extensions. Every {@code provides} type of a plugin appears here,
 * keyed by its service {@link Class}, while the plugin is {@link PluginState#ACTIVE}; plugins and embedders may also
 * register services themselves. Lookups return a snapshot in registration order; listeners see additions and
 * removals as they happen. Thread-safe.
 *
 * <p>Do not hold on to services of another plugin beyond its {@link ServiceListener#removed removal}: a stopped
 * plugin's classes must become unreachable for its layer to unload.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface ServiceRegistry {

    /** All current services of {@code type}, in registration order. */
    <T> List<T> all(Class<T> type);

    /** All current services of {@code type} with the plugin that contributed each. */
    <T> List<ServiceReference<T>> references(Class<T> type);

    /** The first registered service of {@code type}, if any. */
    default <T> Optional<T> first(Class<T> type) {
        List<T> all = all(type);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Registers {@code service} under {@code type}. Through a {@link PluginContext} the registration belongs to that
     * plugin and is withdrawn when it stops.
     *
     * @return a handle whose {@code close()} withdraws the registration
     */
    <T> Subscription register(Class<T> type, T service);

    /**
     * Subscribes to additions and removals of services of {@code type}. The listener is first called with
     * {@link ServiceListener#added} for every service already present.
     *
     * @return a handle that cancels the subscription
     */
    <T> Subscription addListener(Class<T> type, ServiceListener<T> listener);

    /** The service types that currently have at least one service. */
    List<Class<?>> types();
}
