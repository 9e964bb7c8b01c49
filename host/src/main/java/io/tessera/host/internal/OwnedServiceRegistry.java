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
    private final PluginCallbacks guard;
    private final List<Subscription> owned = new ArrayList<>();
    private boolean closed;

    OwnedServiceRegistry(DefaultServiceRegistry registry, String owner, PluginCallbacks guard) {
        this.registry = registry;
        this.owner = owner;
        this.guard = guard;
    }

    PluginCallbacks guard() {
        return guard;
    }

    String owner() {
        return owner;
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
        java.util.Objects.requireNonNull(listener, "listener");
        // owned before the registry first calls it: a start that times out inside that first call still withdraws it
        GuardedListener<T> guarded = new GuardedListener<>(listener);
        own(guarded::disable);
        Subscription registration = registry.addListener(type, guarded);
        guarded.registration = registration;
        if (guarded.disabled) {
            registration.close();
        }
        return own(registration);
    }

    /**
     * A plugin's service listener as the registry sees it: every call goes through the plugin's callback guard; once
     * disabled (its plugin stopped, or a call timed out) it ignores calls and leaves the registry.
     */
    private final class GuardedListener<T> implements ServiceListener<T> {
        private final ServiceListener<T> listener;
        private volatile boolean disabled;
        private volatile boolean reported;
        private volatile Subscription registration;

        GuardedListener(ServiceListener<T> listener) {
            this.listener = listener;
        }

        void disable() {
            disabled = true;
            Subscription r = registration;
            if (r != null) {
                r.close();
            }
        }

        @Override
        public void added(ServiceReference<T> reference) {
            call("added", () -> listener.added(reference));
        }

        @Override
        public void removed(ServiceReference<T> reference) {
            call("removed", () -> listener.removed(reference));
        }

        private void call(String method, Runnable r) {
            if (disabled) {
                return;
            }
            PluginCallbacks.Outcome outcome = guard.call(owner, "its service listener "
                    + listener.getClass().getName() + " (" + method + ")", listener.getClass().getClassLoader(),
                    !reported, r);
            if (outcome == PluginCallbacks.Outcome.THREW) {
                reported = true;
            } else if (outcome == PluginCallbacks.Outcome.TIMED_OUT) {
                disable();
            }
        }
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
