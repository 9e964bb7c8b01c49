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
    private final System.Logger logger;

    DefaultPluginContext(PluginDescriptor descriptor, OwnedServiceRegistry services, PluginEvents events) {
        this.descriptor = descriptor;
        this.services = services;
        this.events = events;
        this.logger = System.getLogger(descriptor.id());
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
        return logger;
    }

    @Override
    public Subscription onPluginEvent(PluginListener listener) {
        return services.own(events.subscribe(listener));
    }

    OwnedServiceRegistry ownedServices() {
        return services;
    }

    @Override
    public String toString() {
        return "PluginContext[" + descriptor + "]";
    }
}
