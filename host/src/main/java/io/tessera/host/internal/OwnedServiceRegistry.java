package io.tessera.host.internal;

import io.tessera.api.plugin.ServiceListener;
import io.tessera.api.plugin.ServiceReference;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.plugin.Subscription;
import java.util.ArrayList;
import java.util.List;

/**
 * A plugin's view of the host registry: what it registers and subscribes to through it belongs to the plugin and is
 * withdrawn by {@link #closeAll()} when the plugin stops, so a stopped plugin leaves nothing behind in the registry.
 */
final class OwnedServiceRegistry implements ServiceRegistry {

    private final DefaultServiceRegistry registry;
    private final String owner;
    private final List<Subscription> owned = new ArrayList<>();
    private boolean closed;

    OwnedServiceRegistry(DefaultServiceRegistry registry, String owner) {
        this.registry = registry;
        this.owner = owner;
    }

    @Override
    public <T> List<T> all(Class<T> type) {
        return registry.all(type);
    }

    @Override
    public <T> List<ServiceReference<T>> references(Class<T> type) {
        return registry.references(type);
    }

    @Override
    public <T> Subscription register(Class<T> type, T service) {
        return own(registry.register(type, service, owner));
    }

    @Override
    public <T> Subscription addListener(Class<T> type, ServiceListener<T> listener) {
        return own(registry.addListener(type, listener));
    }

    @Override
    public List<Class<?>> types() {
        return registry.types();
    }

    /** Adds a registration made by the host on the plugin's behalf (its extensions). */
    Subscription own(Subscription subscription) {
        synchronized (owned) {
            if (!closed) {
                owned.add(subscription);
                return subscription;
            }
        }
        // the plugin stopped (or its start timed out) while this was being registered: withdraw it at once
        subscription.close();
        throw new IllegalStateException("plugin " + owner + " is not active; it can no longer register services");
    }

    /** Withdraws everything this plugin registered or subscribed, newest first; later registrations fail. */
    void closeAll() {
        List<Subscription> toClose;
        synchronized (owned) {
            closed = true;
            toClose = new ArrayList<>(owned);
            owned.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }
}
