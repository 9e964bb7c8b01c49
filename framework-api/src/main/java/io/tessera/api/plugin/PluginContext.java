package io.tessera.api.plugin;

import org.apiguardian.api.API;

/**
 * A plugin's view of the host that runs it; injectable into any provider class of the plugin and passed to
 * {@link Plugin#start} and {@link Plugin#stop}. Services a plugin registers through {@link #services()} are owned by
 * the plugin and withdrawn automatically when it stops.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface PluginContext {

    /** The descriptor of this plugin, as read from its manifest. */
    PluginDescriptor descriptor();

    /** The host's service registry; registrations made through it belong to this plugin. */
    ServiceRegistry services();

    /** A logger named after the plugin id. */
    System.Logger logger();

    /**
     * Subscribes to lifecycle events of all plugins of the host. The subscription is cancelled automatically when
     * this plugin stops.
     *
     * @param listener called while the host's lifecycle thread waits: each call runs on a thread of its own and may
     *                 take at most the host's callback timeout (5 s by default); one that throws is reported on
     *                 this plugin, one that overruns is abandoned, reported and never called again; must not block
     * @return a handle that cancels the subscription
     */
    Subscription onPluginEvent(PluginListener listener);
}
