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

    /**
     * The problems found during discovery, resolution and lifecycle, as of now; after {@link #close()}, the threads
     * plugins left running.
     */
    ResolutionReport report();

    /** The host's service registry. */
    ServiceRegistry services();

    /** The current services of {@code type}, from active plugins and the embedder; a snapshot. */
    <T> List<T> extensions(Class<T> type);

    /** Subscribes to lifecycle events of every plugin of this host. */
    Subscription addPluginListener(PluginListener listener);

    /**
     * Stops one plugin, after every active plugin that requires it (dependents first, as PF4J's {@code stopPlugin}
     * and OSGi's {@code Bundle.stop} do). Its layer is kept: {@link #start(String)} starts it again, together with
     * the dependents this stopped. A stopped plugin stays stopped across {@link #refresh()} and reloads of the
     * plugins it requires until it is started. Events: {@code ACTIVE → STOPPING → RESOLVED} for each.
     *
     * @return the plugin as it is afterwards ({@code RESOLVED}, or {@code FAILED} if its stop timed out)
     * @throws java.util.NoSuchElementException if the host has no plugin with this id
     */
    PluginView stop(String id);

    /**
     * Starts a stopped ({@code RESOLVED}) or {@code FAILED} plugin: first the plugins it requires that are stopped,
     * then it, then the dependents that {@link #stop(String)} stopped with it. Plugin code runs under the same start
     * timeout and containment as at host start; a failure is reported in the plugin's problems, not thrown.
     *
     * @return the plugin as it is afterwards ({@code ACTIVE} or {@code FAILED})
     * @throws java.util.NoSuchElementException if the host has no plugin with this id
     * @throws IllegalStateException            if the plugin has no module layer (it did not resolve); its problems
     *                                          say why
     */
    PluginView start(String id);

    /** {@link #stop(String)} then {@link #start(String)}: dependents are stopped first and started again after. */
    PluginView restart(String id);

    /**
     * Stops a folder plugin (dependents first) and uninstalls it: its layer is released (and its class loader
     * collected once no call is running in it), and the host forgets it until its jar changes (a new build dropped
     * in its place) or is removed and put back. Plugins that require it become unresolved with a problem naming it;
     * plugins for which it is optional are restarted without it. Events: {@code … → UNINSTALLED}.
     *
     * @throws java.util.NoSuchElementException if the host has no plugin with this id
     * @throws IllegalArgumentException         for a plugin on the module path (the boot layer cannot drop a
     *                                          module); stop it instead
     */
    void uninstall(String id);

    /**
     * Stops every plugin in reverse dependency order, stops watching, and releases the plugin layers. Idempotent.
     *
     * <p>Closing cannot stop threads a plugin started and did not end in its stop hook: Java has no sound way to stop
     * a thread. The host looks for them (threads whose class or context class loader is the plugin's) and reports
     * each as a problem naming the plugin, ERROR for a non-daemon thread, which keeps the JVM from exiting until it
     * ends or {@code System.exit} is called. Those problems stay in {@link #report()} after close and are logged, so
     * an application that does not exit says why. See docs/security.md.
     */
    @Override
    void close();
}
