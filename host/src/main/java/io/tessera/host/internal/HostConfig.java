package io.tessera.host.internal;

import com.google.inject.Module;
import io.tessera.api.plugin.PluginListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings a host is built with; see {@link io.tessera.host.TesseraBuilder} for their meaning.
 * {@code pluginLock} is {@code null} when folder plugins are not checked against a lock file.
 */
record HostConfig(List<Path> pluginDirectories, boolean bootPlugins, boolean watch, Duration startTimeout,
                  Duration stopTimeout, Duration settleTime, List<Module> modules, List<PluginListener> listeners,
                  Duration callbackTimeout, Path pluginLock) {

    HostConfig {
        pluginDirectories = List.copyOf(pluginDirectories);
        modules = List.copyOf(modules);
        listeners = List.copyOf(listeners);
    }
}
