package io.tessera.host;

import io.tessera.api.plugin.PluginEvent;
import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.PluginState;
import java.util.ArrayList;
import java.util.List;

/** Records lifecycle events for assertions. */
final class RecordingListener implements PluginListener {

    private final List<PluginEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(PluginEvent event) {
        events.add(event);
    }

    synchronized List<PluginEvent> events() {
        return List.copyOf(events);
    }

    /** {@code id:FROM->TO} for every event, in order. */
    synchronized List<String> transitions() {
        return events.stream().map(e -> e.pluginId() + ":" + e.from() + "->" + e.to()).toList();
    }

    /** The states {@code id} went through, in order. */
    synchronized List<PluginState> statesOf(String id) {
        return events.stream().filter(e -> e.pluginId().equals(id)).map(PluginEvent::to).toList();
    }

    synchronized void clear() {
        events.clear();
    }
}
