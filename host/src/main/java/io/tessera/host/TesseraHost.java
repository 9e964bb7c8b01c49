package io.tessera.host;

import io.tessera.api.plugin.PluginListener;
import io.tessera.api.plugin.ServiceRegistry;
import io.tessera.api.plugin.Subscription;
import java.util.List;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A running Tessera host: its plugins, their problems, and the service registry their extensions live in. Built by
 * {@link Tessera#builder()}. Instances share nothing; closing one does not affect another. Thread-safe.
 */
@API(status = API.Status.STABLE, since = "1.0")
public interface TesseraHost extends AutoCloseable {

    /**
     * Discovers plugins, resolves them, creates their layers and starts every plugin that resolves, in dependency
     * order; then starts watching plugin folders if asked to. Never throws because of a bad plugin: problems go to
     * {@link #report()} and the plugin's {@link PluginView}.
     *
     * @throws IllegalStateException if the host was already started or is closed
     */
    void start();

    /**
     * Rescans the plugin folders now and applies the changes (install new jars, update changed ones and restart
     * their dependents, uninstall removed ones); what the folder watcher does on its own. Jars still being written
     * are skipped until they settle.
     */
    void refresh();

    /** Every plugin the host knows, in dependency order, including those that failed to resolve or start. */
    List<PluginView> plugins();

    /** The plugin with this id, if the host knows one. */
    Optional<PluginView> plugin(String id);

    /** The problems found during discovery, resolution and lifecycle, as of now. */
    ResolutionReport report();

    /** The host's service registry. */
    ServiceRegistry services();

    /** The current services of {@code type}, from active plugins and the embedder; a snapshot. */
    <T> List<T> extensions(Class<T> type);

    /** Subscribes to lifecycle events of every plugin of this host. */
    Subscription addPluginListener(PluginListener listener);

    /** Stops every plugin in reverse dependency order, stops watching, and releases the plugin layers. Idempotent. */
    @Override
    void close();
}
