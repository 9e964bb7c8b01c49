package io.tessera.host.internal;

import io.tessera.api.plugin.PluginEvent;
import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.Subscription;
import java.util.concurrent.CopyOnWriteArrayList;

/** The lifecycle event bus of one host. Listeners run synchronously; one that throws is logged and skipped. */
final class PluginEvents {

    private final CopyOnWriteArrayList<PluginListener> listeners = new CopyOnWriteArrayList<>();

    Subscription subscribe(PluginListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void publish(PluginEvent event) {
        for (PluginListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                System.getLogger(PluginEvents.class.getName()).log(System.Logger.Level.WARNING,
                        "a plugin listener threw on " + event + "; the transition happened anyway", e);
            }
        }
    }
}
