package io.tessera.host.internal;

import io.tessera.api.plugin.PluginContext;
import io.tessera.api.plugin.PluginDescriptor;
import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.plugin.Subscription;

/** The {@link PluginContext} of one plugin activation; its registrations and subscriptions end when it stops. */
final class DefaultPluginContext implements PluginContext {

    private final PluginDescriptor descriptor;
    private final OwnedServiceRegistry services;
    private final PluginEvents events;
    /** Created on first use: the first System.Logger of a JVM starts java.util.logging, which costs ~20 ms. */
    private volatile System.Logger logger;

    DefaultPluginContext(PluginDescriptor descriptor, OwnedServiceRegistry services, PluginEvents events) {
        this.descriptor = descriptor;
        this.services = services;
        this.events = events;
    }

    @Override
    public PluginDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public ServiceRegistry services() {
        return services;
    }

    @Override
    public System.Logger logger() {
        System.Logger l = logger;
        if (l == null) {
            l = System.getLogger(descriptor.id());
            logger = l;
        }
        return l;
    }

    @Override
    public Subscription onPluginEvent(PluginListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return services.own(events.subscribe(descriptor.id(), listener, services.guard()));
    }

    OwnedServiceRegistry ownedServices() {
        return services;
    }

    @Override
    public String toString() {
        return "PluginContext[" + descriptor + "]";
    }
}
