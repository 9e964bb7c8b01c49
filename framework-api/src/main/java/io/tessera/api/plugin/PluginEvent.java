package io.tessera.api.plugin;

import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A lifecycle transition of one plugin, published for every state change.
 *
 * @param pluginId the plugin id
 * @param version  the plugin version
 * @param source   where the plugin comes from: {@code boot} or the path of its jar or folder
 * @param from     the previous state
 * @param to       the new state
 * @param failure  why the plugin went to {@link PluginState#FAILED}, if it did; {@code null} otherwise
 */
@API(status = API.Status.STABLE, since = "1.0")
public record PluginEvent(String pluginId, Version version, String source, PluginState from, PluginState to,
                          String failure) {

    public PluginEvent {
        Objects.requireNonNull(pluginId, "pluginId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** The failure message, present only for transitions to {@link PluginState#FAILED}. */
    public Optional<String> failureMessage() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return pluginId + " " + version + ": " + from + " -> " + to + (failure == null ? "" : " (" + failure + ")");
    }
}
