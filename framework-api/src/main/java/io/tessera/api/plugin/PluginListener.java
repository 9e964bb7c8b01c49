package io.tessera.api.plugin;

import org.apiguardian.api.API;

/** Receives {@link PluginEvent}s, synchronously on the host's lifecycle thread; must return quickly. */
@API(status = API.Status.STABLE, since = "1.0")
@FunctionalInterface
public interface PluginListener {

    /** Called for every lifecycle transition. Exceptions are logged and do not affect the transition. */
    void onEvent(PluginEvent event);
}
