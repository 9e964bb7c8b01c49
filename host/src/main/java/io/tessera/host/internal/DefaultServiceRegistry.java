package io.tessera.host.internal;

import io.tessera.api.plugin.ServiceListener;
import io.tessera.api.plugin.ServiceReference;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.plugin.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The host's service registry. Entries and listeners are keyed by the service {@link Class}; a key disappears with its
 * last entry and listener, so the registry never keeps a class of an unloaded plugin reachable. Listeners are called
 * outside the lock, in the thread that made the change; a plugin's listeners are wrapped by its
 * {@link OwnedServiceRegistry}, which runs each call under the plugin's callback timeout on a thread of its own.
 */
final class DefaultServiceRegistry implements ServiceRegistry {

    static final String HOST_OWNER = "host";

    private final Object lock = new Object();
    private final Map<Class<?>, List<ServiceReference<?>>> services = new LinkedHashMap<>();
    private final Map<Class<?>, List<ServiceListener<?>>> listeners = new LinkedHashMap<>();

    @Override
    public <T> List<T> all(Class<T> type) {
        return references(type).stream().map(ServiceReference::service).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> List<ServiceReference<T>> references(Class<T> type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            List<ServiceReference<?>> list = services.get(type);
            if (list == null) {
                return List.of();
            }
            List<ServiceReference<T>> result = new ArrayList<>(list.size());
            for (ServiceReference<?> ref : list) {
                result.add((ServiceReference<T>) ref);
            }
            return List.copyOf(result);
        }
    }

    @Override
    public <T> Subscription register(Class<T> type, T service) {
        return register(type, service, HOST_OWNER);
    }

    /** Registers a service on behalf of {@code owner} (a plugin id or {@code host}). */
    <T> Subscription register(Class<T> type, T service, String owner) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(service, "service");
        if (!type.isInstance(service)) {
            throw new IllegalArgumentException(service.getClass().getName() + " is not a " + type.getName());
        }
        ServiceReference<T> ref = new ServiceReference<>(type, service, owner);
        List<ServiceListener<?>> toNotify;
        synchronized (lock) {
            List<ServiceReference<?>> list = services.get(type);
            if (list == null) {
                list = new ArrayList<>(1);
                services.put(type, list);
            }
            list.add(ref);
            toNotify = List.copyOf(listeners.getOrDefault(type, List.of()));
        }
        notifyAdded(toNotify, ref);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                unregister(ref);
            }
        };
    }

    private <T> void unregister(ServiceReference<T> ref) {
        List<ServiceListener<?>> toNotify;
        synchronized (lock) {
            List<ServiceReference<?>> list = services.get(ref.type());
            if (list == null || !list.remove(ref)) {
                return;
            }
            if (list.isEmpty()) {
                services.remove(ref.type());
            }
            toNotify = List.copyOf(listeners.getOrDefault(ref.type(), List.of()));
        }
        for (ServiceListener<?> l : toNotify) {
            try {
                cast(l, ref).removed(ref);
            } catch (Throwable e) {
                PluginCallbacks.rethrowIfFatal(e);
                logListenerFailure(e);
            }
        }
    }

    @Override
    public <T> Subscription addListener(Class<T> type, ServiceListener<T> listener) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listener, "listener");
        List<ServiceReference<T>> existing;
        synchronized (lock) {
            listeners.computeIfAbsent(type, k -> new ArrayList<>()).add(listener);
            existing = references(type);
        }
        for (ServiceReference<T> ref : existing) {
            try {
                listener.added(ref);
            } catch (Throwable e) {
                PluginCallbacks.rethrowIfFatal(e);
                logListenerFailure(e);
            }
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                synchronized (lock) {
                    List<ServiceListener<?>> list = listeners.get(type);
                    if (list != null) {
                        list.remove(listener);
                        if (list.isEmpty()) {
                            listeners.remove(type);
                        }
                    }
                }
            }
        };
    }

    @Override
    public List<Class<?>> types() {
        synchronized (lock) {
            return List.copyOf(services.keySet());
        }
    }

    private static <T> void notifyAdded(List<ServiceListener<?>> toNotify, ServiceReference<T> ref) {
        for (ServiceListener<?> l : toNotify) {
            try {
                cast(l, ref).added(ref);
            } catch (Throwable e) {
                PluginCallbacks.rethrowIfFatal(e);
                logListenerFailure(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> ServiceListener<T> cast(ServiceListener<?> listener, ServiceReference<T> ref) {
        return (ServiceListener<T>) listener;
    }

    private static void logListenerFailure(Throwable e) {
        System.getLogger(DefaultServiceRegistry.class.getName())
                .log(System.Logger.Level.WARNING, "a service listener threw; the change was applied anyway: "
                        + PluginActivator.describe(e));
    }
}
