package io.tessera.host.internal;

import io.tessera.api.plugin.PluginEvent;
import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.Subscription;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The lifecycle event bus of one host. The embedder's listeners run synchronously; one that throws is logged and
 * skipped. A plugin's listeners ({@code PluginContext.onPluginEvent}) are foreign code: each call runs through
 * {@link PluginCallbacks}, so one that throws is reported on its plugin and one that hangs is abandoned after the
 * callback timeout, reported, and unsubscribed.
 */
final class PluginEvents {

    /** A listener and, for a plugin's listener, its plugin and the guard its calls go through. */
    private record Entry(PluginListener listener, String owner, PluginCallbacks guard, boolean[] reported) {
    }

    private final CopyOnWriteArrayList<Entry> listeners = new CopyOnWriteArrayList<>();

    /** Subscribes a listener of the embedder or the host. */
    Subscription subscribe(PluginListener listener) {
        Entry e = new Entry(listener, null, null, null);
        listeners.add(e);
        return () -> listeners.remove(e);
    }

    /** Subscribes a listener of plugin {@code owner}; its calls run under {@code guard}. */
    Subscription subscribe(String owner, PluginListener listener, PluginCallbacks guard) {
        Entry e = new Entry(listener, owner, guard, new boolean[1]);
        listeners.add(e);
        return () -> listeners.remove(e);
    }

    void publish(PluginEvent event) {
        for (Entry e : listeners) {
            if (e.owner() == null) {
                try {
                    e.listener().onEvent(event);
                } catch (Throwable t) {
                    PluginCallbacks.rethrowIfFatal(t);
                    System.getLogger(PluginEvents.class.getName()).log(System.Logger.Level.WARNING,
                            "a plugin listener threw on " + event + "; the transition happened anyway: "
                                    + PluginActivator.describe(t));
                }
                continue;
            }
            boolean first;
            synchronized (e.reported()) {
                first = !e.reported()[0];
            }
            PluginCallbacks.Outcome outcome = e.guard().call(e.owner(), "its plugin-event listener "
                    + e.listener().getClass().getName() + " (on " + event.pluginId() + " " + event.to() + ")",
                    e.listener().getClass().getClassLoader(), first, () -> e.listener().onEvent(event));
            if (outcome == PluginCallbacks.Outcome.THREW) {
                synchronized (e.reported()) {
                    e.reported()[0] = true;
                }
            } else if (outcome == PluginCallbacks.Outcome.TIMED_OUT) {
                listeners.remove(e);
            }
        }
    }
}
